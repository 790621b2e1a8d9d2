namespace Cascade.Hosting;

/// <summary>The git commit of the code, for lineage: read from the repository's .git directory, no git binary needed.</summary>
public static class GitCommit
{
    public static string Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var head = Path.Combine(directory.FullName, ".git", "HEAD");
            if (!File.Exists(head)) continue;
            var content = File.ReadAllText(head).Trim();
            if (!content.StartsWith("ref: ", StringComparison.Ordinal)) return content;
            var reference = Path.Combine(directory.FullName, ".git", content[5..]);
            if (File.Exists(reference)) return File.ReadAllText(reference).Trim();
            var packed = Path.Combine(directory.FullName, ".git", "packed-refs");
            if (File.Exists(packed))
            {
                var line = File.ReadLines(packed).FirstOrDefault(l => l.EndsWith(" " + content[5..], StringComparison.Ordinal));
                if (line is not null) return line.Split(' ')[0];
            }
            return "unknown";
        }
        return "unknown";
    }
}
