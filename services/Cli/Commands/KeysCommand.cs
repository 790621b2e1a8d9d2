using System.CommandLine;
using Cascade.Hosting.Security;
using Spectre.Console;

namespace Cascade.Cli.Commands;

/// <summary>
/// <c>cascade keys create|list|revoke</c>: API keys for a host started with <c>--auth</c>. Works on the keys file in
/// the data directory (the same default as <c>./cascade up</c>); a running host picks changes up within a second.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The host's data directory (keys.json lives there).", DefaultValueFactory = _ => ".cascade", Recursive = true };
        var keysFile = new Option<string?>("--keys-file") { Description = "The keys file itself (default: DATA-DIR/keys.json).", Recursive = true };
        var command = new Command("keys", "Create, list and revoke API keys (stored as salted hashes; the key is shown once).");
        command.Options.Add(dataDir);
        command.Options.Add(keysFile);
        ApiKeyStore Store(ParseResult parse) => new(parse.GetValue(keysFile) ?? Path.Combine(parse.GetValue(dataDir)!, "keys.json"));

        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", CascadeRoles.Names)}.", Required = true };
        var name = new Option<string?>("--name") { Description = "A name for the audit log (default: ROLE-<random>)." };
        var models = new Option<string[]>("--model") { Description = "Limit the key to this model (repeat for several; default: every model).", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a key and print it as the last line (it is stored nowhere: keep it).");
        create.Options.Add(role);
        create.Options.Add(name);
        create.Options.Add(models);
        create.SetAction(parse =>
        {
            if (!CascadeRoles.TryParse(parse.GetValue(role), out var parsed))
            {
                Console.Error.WriteLine($"error: unknown role '{parse.GetValue(role)}': use one of {string.Join(", ", CascadeRoles.Names)}.");
                return 2;
            }
            var keyName = parse.GetValue(name) ?? $"{CascadeRoles.Name(parsed)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
            try
            {
                var store = Store(parse);
                var (entry, key) = store.Create(keyName, parsed, parse.GetValue(models) ?? []);
                Console.Error.WriteLine($"created key '{entry.Name}' (role {entry.Role}{(entry.Models.Count > 0 ? ", models " + string.Join(", ", entry.Models) : string.Empty)}) in {store.FilePath}");
                Console.Error.WriteLine("it is shown once and stored only as a salted hash; send it as 'authorization: Bearer KEY' or set CASCADE_API_KEY");
                Console.WriteLine(key);
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }
        });

        var list = new Command("list", "List keys (names, roles, models, created, revoked; never the keys).");
        list.SetAction(parse =>
        {
            var table = new Table().AddColumns("name", "role", "models", "created", "revoked");
            foreach (var entry in Store(parse).List())
            {
                table.AddRow(Markup.Escape(entry.Name), entry.Role, Markup.Escape(entry.Models.Count == 0 ? "*" : string.Join(",", entry.Models)),
                    entry.CreatedAt.ToString("u"), entry.RevokedAt?.ToString("u") ?? "-");
            }
            AnsiConsole.Write(table);
            return 0;
        });

        var revokeName = new Argument<string>("name") { Description = "The key's name." };
        var revoke = new Command("revoke", "Revoke a key: a running host refuses it within a second.");
        revoke.Arguments.Add(revokeName);
        revoke.SetAction(parse =>
        {
            var keyName = parse.GetValue(revokeName)!;
            if (Store(parse).Revoke(keyName))
            {
                Console.WriteLine($"revoked '{keyName}'");
                return 0;
            }
            Console.Error.WriteLine($"error: no live key named '{keyName}' (see ./cascade keys list)");
            return 1;
        });

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        return command;
    }
}
