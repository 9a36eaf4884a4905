using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.Api.Contracts;

namespace Billing.Cli.Commands;

public static class KeyCommands
{
    public static Command Keys()
    {
        var keys = new Command("keys", """
            Manage admin API keys. Keys created with `keys create` live in the database and work, or stop working once
            revoked, from the next request on (no restart); `keys new` prints a bootstrap key for Auth__ApiKeys.

            Examples:
              billing keys create --name month-end-script --role viewer
              billing keys list --revoked
              billing keys revoke 0193f2a4-6f1e-7cc1-9d2b-4e1f8a3c5b6d
            """);
        keys.Subcommands.Add(Create());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        keys.Subcommands.Add(Bootstrap());
        return keys;
    }

    private static Option<string> NameOption() => new("--name")
    {
        Description = "Who or what uses the key (letters, digits, - and _)", Required = true,
        Validators =
        {
            r =>
            {
                var value = r.GetValueOrDefault<string>() ?? "";
                if (value.Length == 0 || value.Length > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                    r.AddError("--name must be 1 to 64 letters, digits, - or _");
            },
        },
    };

    private static Option<string> RoleOption()
    {
        var role = new Option<string>("--role") { Description = "viewer (read only) or operator (may start runs, redrive, resend, purge, manage keys)", DefaultValueFactory = _ => "viewer" };
        role.AcceptOnlyFromAmong("viewer", "operator");
        return role;
    }

    private static Command Create()
    {
        var name = NameOption();
        var role = RoleOption();
        var command = new Command("create", "Create an API key in the admin API (operator key): prints the key once; only its hash is stored");
        command.Options.Add(name);
        command.Options.Add(role);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var created = await api.PostAsync<ApiKeyCreated>("/api/keys", new CreateApiKeyRequest(parse.GetValue(name), parse.GetValue(role)), ct);
            Console.WriteLine($"key {created.Key.Name} ({created.Key.Role}) created, id {created.Key.Id}");
            Console.WriteLine($"key (shown this once; give it to its user): {created.Secret}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var revoked = new Option<bool>("--revoked") { Description = "List revoked keys too" };
        var command = new Command("list", "List the API keys (never their secrets): bootstrap keys, then keys by name");
        command.Options.Add(revoked);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var list = await api.GetAsync<ApiKeyList>(parse.GetValue(revoked) ? "/api/keys?revoked=true" : "/api/keys", ct);
            var table = Output.Table("id", "name", "role", "source", "created by", "created", "last used", "revoked");
            foreach (var k in list.Keys)
                table.Add(k.Id?.ToString() ?? "-", k.Name, k.Role, k.Source, k.CreatedBy ?? "-", Time(k.CreatedAt), Time(k.LastUsedAt),
                    k.RevokedAt is null ? "-" : $"{Time(k.RevokedAt)} by {k.RevokedBy}");
            table.Write(empty: "no API keys");
            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<Guid>("id") { Description = "The key's id (billing keys list)" };
        var command = new Command("revoke", "Revoke an API key (operator key): its next request answers 401, its console sessions end");
        command.Arguments.Add(id);
        command.SetApiAction(async (parse, api, ct) =>
        {
            var key = await api.SendAsync<ApiKeyInfo>(HttpMethod.Delete, $"/api/keys/{parse.GetValue(id)}", null, ct);
            Console.WriteLine($"key {key.Name} ({key.Id}) revoked");
            return 0;
        });
        return command;
    }

    /// <summary>A key made on this machine for <c>Auth__ApiKeys</c>: the bootstrap, before any key exists in the database.</summary>
    private static Command Bootstrap()
    {
        var name = NameOption();
        var role = RoleOption();
        var create = new Command("new", "Make a bootstrap key locally: prints the key (once) and the Auth__ApiKeys entry holding only its hash");
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
        return create;
    }

    private static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
}
