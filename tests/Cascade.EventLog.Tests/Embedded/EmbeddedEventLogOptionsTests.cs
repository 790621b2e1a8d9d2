using System.ComponentModel.DataAnnotations;
using Cascade.EventLog.Embedded;

namespace Cascade.EventLog.Tests.Embedded;

public sealed class EmbeddedEventLogOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new EmbeddedEventLogOptions();

        options.Path.Should().Be(Path.Combine(".cascade", "events.db"));
        options.DefaultPartitions.Should().Be(4);
        options.RetentionAge.Should().Be(TimeSpan.FromDays(7));
        options.RetentionRecordsPerPartition.Should().BeNull();
        options.RetentionInterval.Should().Be(TimeSpan.FromMinutes(1));
        options.MaxRecordsPerTransaction.Should().Be(1_000);
        options.MaxBytesPerTransaction.Should().Be(1_024 * 1_024);
        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    public static TheoryData<Action<EmbeddedEventLogOptions>> OutOfRange => new()
    {
        o => o.MaxRecordsPerTransaction = 0,
        o => o.MaxBytesPerTransaction = 1_000,
        o => o.DefaultPartitions = 0,
        o => o.RetentionInterval = TimeSpan.Zero,
        o => o.RetentionAge = TimeSpan.FromSeconds(-1),
        o => o.RetentionRecordsPerPartition = -1,
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void The_log_refuses_settings_out_of_range(Action<EmbeddedEventLogOptions> change)
    {
        var directory = Directory.CreateTempSubdirectory("cascade-eventlog-options-").FullName;
        try
        {
            var options = new EmbeddedEventLogOptions { Path = Path.Combine(directory, "events.db") };
            change(options);

            var open = () => new SqliteEventLog(options);

            open.Should().Throw<ValidationException>();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
