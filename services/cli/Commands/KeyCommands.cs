using System.CommandLine;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Cli.Commands;

public static class KeyCommands
{
    public static Command Keys()
    {
        var name = new Option<string>("--name") { Description = "Who or what uses the key (letters, digits, - and _)", Required = true };
        var role = new Option<string>("--role") { Description = "viewer (read only) or operator (may start runs, redrive, resend, purge)", DefaultValueFactory = _ => "viewer" };
        role.AcceptOnlyFromAmong("viewer", "operator");
        name.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>() ?? "";
            if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                r.AddError("--name must be letters, digits, - or _");
        });
        var create = new Command("new", "Create an API key: prints the key (once) and the Auth__ApiKeys entry holding only its hash");
        create.Options.Add(name);
        create.Options.Add(role);
        create.SetAction(parse =>
        {
            var key = "bk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            Console.WriteLine($"key (give it to the user; it is not stored anywhere): {key}");
            Console.WriteLine($"Auth__ApiKeys entry for the admin API:              {parse.GetValue(name)}:{parse.GetValue(role)}:{hash}");
            return 0;
        });
        var keys = new Command("keys", "Manage admin API keys");
        keys.Subcommands.Add(create);
        return keys;
    }
}
