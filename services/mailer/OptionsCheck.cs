using Microsoft.Extensions.Options;

namespace Billing.Mailer;

/// <summary>A validation whose message depends on the value (it names the setting and repeats what was given).</summary>
internal sealed class OptionsCheck<T>(Func<T, string?> check) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        check(options) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
}
