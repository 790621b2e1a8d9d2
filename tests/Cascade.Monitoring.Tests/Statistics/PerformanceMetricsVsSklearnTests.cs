using Cascade.Monitoring.Domain.Statistics;
using Cascade.Monitoring.Tests.Fixtures;

namespace Cascade.Monitoring.Tests.Statistics;

public class PerformanceMetricsVsSklearnTests
{
    private const string Script = Python.Prelude + """
        from sklearn import metrics
        s, y, r, t = arr(data["scores"]), arr(data["labels"]), arr(data["predictions"]), arr(data["targets"])
        p, c = np.array(data["probabilities"]).reshape(-1, 3), np.array(data["classes"])
        print(json.dumps({
            "log_loss": metrics.log_loss(y, s), "accuracy": metrics.accuracy_score(y, s >= 0.5),
            "auc": metrics.roc_auc_score(y, s),
            "rmse": float(np.sqrt(metrics.mean_squared_error(t, r))), "mae": metrics.mean_absolute_error(t, r),
            "multi_log_loss": metrics.log_loss(c, p, labels=[0, 1, 2]), "multi_accuracy": metrics.accuracy_score(c, p.argmax(axis=1)),
        }))
        """;

    [Fact]
    public void Classification_regression_and_multiclass_metrics_equal_scikit_learn()
    {
        var draw = new Draw(5);
        var labels = Enumerable.Range(0, 700).Select(_ => draw.Bernoulli(0.35) ? 1.0 : 0.0).ToArray();
        // Scores rounded to two decimals so that ties occur (AUC must give them half credit).
        var scores = labels.Select(y => Math.Round(1 / (1 + Math.Exp(-(y * 1.5 - 0.7 + draw.Normal()))), 2)).ToArray();
        var targets = draw.Normals(400, 10, 3);
        var predictions = targets.Select(t => t + draw.Normal(0.2, 1)).ToArray();
        var classes = Enumerable.Range(0, 300).Select(_ => (double)(int)draw.Uniform(0, 3)).ToArray();
        var probabilities = classes.SelectMany(c =>
        {
            var raw = Enumerable.Range(0, 3).Select(k => Math.Exp((k == (int)c ? 1.0 : 0.0) + draw.Normal())).ToArray();
            return raw.Select(v => v / raw.Sum());
        }).ToArray();

        var expected = Python.Run(Script, new { scores, labels, predictions, targets, probabilities, classes });

        ClassificationMetrics.LogLoss(scores, labels).Should().BeApproximately(expected.GetProperty("log_loss").GetDouble(), 1e-12);
        ClassificationMetrics.Accuracy(scores, labels).Should().BeApproximately(expected.GetProperty("accuracy").GetDouble(), 1e-15);
        ClassificationMetrics.RocAuc(scores, labels).Should().BeApproximately(expected.GetProperty("auc").GetDouble(), 1e-12);
        RegressionMetrics.Rmse(predictions, targets).Should().BeApproximately(expected.GetProperty("rmse").GetDouble(), 1e-12);
        RegressionMetrics.Mae(predictions, targets).Should().BeApproximately(expected.GetProperty("mae").GetDouble(), 1e-12);
        MulticlassMetrics.LogLoss(probabilities, 3, classes).Should().BeApproximately(expected.GetProperty("multi_log_loss").GetDouble(), 1e-12);
        MulticlassMetrics.Accuracy(probabilities, 3, classes).Should().BeApproximately(expected.GetProperty("multi_accuracy").GetDouble(), 1e-15);
    }

    [Fact]
    public void Auc_is_undefined_when_only_one_class_is_present()
    {
        ClassificationMetrics.RocAuc([0.2, 0.9], [1, 1]).Should().Be(double.NaN);
    }
}
