namespace Cascade.WebConsole.Pipeline.Scraping;

/// <summary>
/// One place the console reads totals from, and what they stand for.
/// </summary>
/// <param name="Name">How logs and failures name it (<c>serving at http://127.0.0.1:8087/metrics</c>).</param>
/// <param name="Areas">The areas whose figures it gives (<c>ingestion</c>, <c>serving</c> …): one per service process, all of them in the all-in-one host.</param>
/// <param name="Services">The gRPC services it stands for, listed in the figures' <c>sources</c> while it answers (read when first needed: the all-in-one host's endpoints exist only once it is built).</param>
/// <param name="Source">Where its text comes from.</param>
public sealed record MetricsTarget(string Name, IReadOnlySet<string> Areas, Func<IReadOnlyList<string>> Services, IMetricsSource Source);
