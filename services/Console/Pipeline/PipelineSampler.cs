using Cascade.Contracts.Pipeline.V1;
using Cascade.WebConsole.Options;
using Cascade.WebConsole.Pipeline.Prometheus;
using Cascade.WebConsole.Pipeline.Scraping;
using Cascade.WebConsole.Pipeline.Totals;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cascade.WebConsole.Pipeline;

/// <summary>
/// Reads every service's totals (<see cref="MetricsTarget"/>: its own process's <c>/metrics</c> in the all-in-one host,
/// each service's <c>/metrics</c> URL in the distributed deployment) every <see cref="PipelineFiguresOptions.SampleIntervalSeconds"/>,
/// keeps a sliding window of reads per service and answers the pipeline's figures from them
/// (<see cref="PipelineFigures"/>). The figures cost the services nothing per request: OpenTelemetry keeps the totals
/// anyway, and they are read a few times a minute. A service that does not answer in time, refuses, or sends text that
/// does not parse is unavailable until its next good read; the others' figures are unaffected.
/// </summary>
public sealed partial class PipelineSampler : BackgroundService
{
    private readonly (MetricsTarget Target, TotalsWindow Window)[] _reads;
    private readonly PipelineFiguresOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PipelineSampler> _log;
    private readonly SemaphoreSlim _round = new(1, 1);
    private readonly Lock _gate = new();

    public PipelineSampler(IEnumerable<MetricsTarget> targets, PipelineFiguresOptions options, ILogger<PipelineSampler> log, TimeProvider? time = null)
    {
        _options = options;
        _log = log;
        _time = time ?? TimeProvider.System;
        _reads = targets.Select(t => (t, new TotalsWindow(TimeSpan.FromSeconds(options.RateWindowSeconds)))).ToArray();
    }

    /// <summary>The figures of the last read, with rates over the window (shorter just after start, as the answer says).</summary>
    public PipelineStatus Read()
    {
        lock (_gate) return PipelineFigures.Compose(_time.GetUtcNow(), _reads);
    }

    /// <summary>Reads every service once, all at the same time, each within the scrape timeout.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        // Rounds never overlap (a slow service cannot make them pile up), and each window sees its reads in order.
        await _round.WaitAsync(cancellationToken);
        try
        {
            var outcomes = await Task.WhenAll(_reads.Select(r => ReadOneAsync(r.Target, cancellationToken)));
            lock (_gate)
            {
                for (var i = 0; i < _reads.Length; i++)
                {
                    var (target, window) = _reads[i];
                    var (totals, at, failure) = outcomes[i];
                    var wasAvailable = window.Failure is null;
                    if (totals is not null)
                    {
                        window.Add(at, totals);
                        if (!wasAvailable) LogAnswering(_log, target.Name);
                    }
                    else
                    {
                        window.Fail(failure!);
                        if (wasAvailable) LogUnavailable(_log, target.Name, failure!);
                    }
                }
            }
        }
        finally
        {
            _round.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first read at once, so rates count from the start and the page has figures at its first visit.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.SampleIntervalSeconds), _time);
        try
        {
            do
            {
                await SampleAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>One service's totals and when they were read (each read timed on its own: a slow service must not skew the others' rates), or why not.</summary>
    private async Task<(ServiceTotals? Totals, DateTimeOffset At, string? Failure)> ReadOneAsync(MetricsTarget target, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.ScrapeTimeoutSeconds));
        try
        {
            var text = await target.Source.ReadAsync(timeout.Token);
            var at = _time.GetUtcNow();
            return (ServiceTotals.From(PrometheusTextParser.Parse(text), target.Areas.Contains), at, null);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (null, default, $"no answer within {_options.ScrapeTimeoutSeconds} s");
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Whatever went wrong (refused, unreachable, a TLS failure, broken text) is this service's figures being
            // unavailable, said in the log and on the page; never a reason to stop the host the console runs in.
            return (null, default, ex.Message);
        }
    }

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pipeline figures: {Target} is unavailable ({Reason}); its figures are left out until it answers")]
    private static partial void LogUnavailable(ILogger logger, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline figures: {Target} answers again")]
    private static partial void LogAnswering(ILogger logger, string target);
}
