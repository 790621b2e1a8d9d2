namespace Cascade.Infrastructure.Tests;

/// <summary>Where the servers of infra/up.sh listen (the same environment variables override the ports).</summary>
internal static class Servers
{
    private static int Port(string variable, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

    public static string Kafka => $"127.0.0.1:{Port("KAFKA_PORT", 9092)}";

    public static string Redis => $"127.0.0.1:{Port("REDIS_PORT", 6379)}";

    public static int Postgres => Port("POSTGRES_PORT", 5432);

    public static string S3 => $"http://127.0.0.1:{Port("S3_PORT", 9000)}";

    public static int RabbitMq => Port("RABBITMQ_PORT", 5672);

    /// <summary>A name no other test (or earlier run) used.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
