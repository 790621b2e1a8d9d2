using System.Diagnostics;

namespace Cascade.Hosting.Tests;

/// <summary>Lineage's code version: the checkout's commit, read without a git binary.</summary>
public class GitCommitTests
{
    [Fact]
    public void The_commit_is_found_from_a_folder_inside_the_checkout_and_matches_git()
    {
        var found = GitCommit.Find(AppContext.BaseDirectory);
        found.Should().MatchRegex("^[0-9a-f]{40}$", "the tests run from a build inside the repository");
        var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true })!;
        var head = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        found.Should().Be(head);
    }

    [Fact]
    public void Outside_a_checkout_the_version_is_unknown() =>
        GitCommit.Find(Path.GetTempPath()).Should().Be("unknown");
}
