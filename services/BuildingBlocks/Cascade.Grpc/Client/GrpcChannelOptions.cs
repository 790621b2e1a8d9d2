using System.ComponentModel.DataAnnotations;

namespace Cascade.Grpc.Client;

/// <summary>Options of a client channel (<see cref="GrpcChannel.ForAddress"/> validates them).</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted.</summary>
    /// <value>The default value is 4 MiB.</value>
    [Range(1, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent.</summary>
    /// <value>The default value is 4 MiB.</value>
    [Range(1, int.MaxValue)]
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Interval of HTTP/2 keep-alive pings on connections with active calls, to notice dead peers.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a ping's answer before the connection is considered dead.</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Time allowed to establish a connection.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (MaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"{nameof(MaxReceiveMessageSize)} must be positive (got {MaxReceiveMessageSize}).");
        }
        if (MaxSendMessageSize <= 0)
        {
            throw new ArgumentException($"{nameof(MaxSendMessageSize)} must be positive (got {MaxSendMessageSize}).");
        }
        if (KeepAlivePingDelay != Timeout.InfiniteTimeSpan && KeepAlivePingDelay < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"{nameof(KeepAlivePingDelay)} must be at least 1 second, or Timeout.InfiniteTimeSpan to disable pings (got {KeepAlivePingDelay}).");
        }
        if (KeepAlivePingTimeout != Timeout.InfiniteTimeSpan && KeepAlivePingTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"{nameof(KeepAlivePingTimeout)} must be at least 1 second, or Timeout.InfiniteTimeSpan (got {KeepAlivePingTimeout}).");
        }
        if (ConnectTimeout != Timeout.InfiniteTimeSpan && ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ConnectTimeout)} must be positive, or Timeout.InfiniteTimeSpan (got {ConnectTimeout}).");
        }
    }

    /// <summary>A handler to use instead of the channel's own <see cref="System.Net.Http.SocketsHttpHandler"/> (tests, proxies); the channel does not dispose it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
