using Cascade.Ml.Signing;

namespace Cascade.Cli.Import;

/// <summary>
/// The key <c>cascade models import</c> signs with, found as an operator would expect: <c>--signing-key FILE</c>, else
/// the setting every Cascade process reads (<c>Cascade__Signing__PrivateKeyFile</c>), else the key of an all-in-one
/// host started here with its default data directory (<c>.cascade/signing/model-signing.key</c>).
/// </summary>
internal static class ImportSigningKey
{
    /// <summary>The environment variable of <see cref="ModelSigningOptions.PrivateKeyFile"/>.</summary>
    public const string EnvironmentVariable = "Cascade__Signing__PrivateKeyFile";

    /// <summary>Where <c>./cascade up</c> keeps its key, relative to the folder it was started in.</summary>
    public static readonly string AllInOneDefault = Path.Combine(".cascade", "signing", "model-signing.key");

    /// <summary>The key to sign with, or why there is none (a message for stderr).</summary>
    public static (SigningKey? Key, string? Error) Resolve(string? option, string? environment, string workingDirectory)
    {
        var (path, source) = !string.IsNullOrWhiteSpace(option) ? (option, "--signing-key")
            : !string.IsNullOrWhiteSpace(environment) ? (environment, EnvironmentVariable)
            : (Path.Combine(workingDirectory, AllInOneDefault), "the all-in-one host's key");
        if (source == "the all-in-one host's key" && !File.Exists(path))
        {
            return (null, $"no key to sign the model with, and Serving loads only signed models: pass --signing-key FILE (the all-in-one host keeps its key in DATA/signing/model-signing.key; a distributed deployment's workers have theirs in {EnvironmentVariable}), or --unsigned for a deployment that accepts unsigned models.");
        }
        try
        {
            return (SigningKey.Load(path), null);
        }
        catch (SigningKeyException ex)
        {
            return (null, $"{source}: {ex.Message}");
        }
    }
}
