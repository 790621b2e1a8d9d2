namespace Cascade.Fuzz.Tests;

/// <summary>The committed regression corpus, copied next to the tests: <c>Corpus/&lt;target&gt;/</c>.</summary>
internal static class Corpus
{
    public static string Folder(string target) => Path.Combine(AppContext.BaseDirectory, "Corpus", target);

    public static string[] Files(string target) =>
        Directory.Exists(Folder(target)) ? Directory.GetFiles(Folder(target)).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToArray() : [];
}
