namespace Cascade.Ml.Metrics;

/// <summary>Evaluation metrics, computed by Cascade (and cross-checked against scikit-learn in tests).</summary>
public static class ModelMetrics
{
    /// <summary>The metrics that fit an objective: AUC, log loss, accuracy (binary); RMSE, MAE (regression); log loss, accuracy (multiclass).</summary>
    public static IReadOnlyDictionary<string, double> For(string objective, ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions, int numClass = 1) => objective switch
    {
        "binary:logistic" => new Dictionary<string, double>
        {
            ["auc"] = Auc(labels, predictions),
            ["logloss"] = LogLoss(labels, predictions),
            ["accuracy"] = Accuracy(labels, predictions),
        },
        "multi:softprob" => new Dictionary<string, double>
        {
            ["mlogloss"] = MultiClassLogLoss(labels, predictions, numClass),
            ["accuracy"] = MultiClassAccuracy(labels, predictions, numClass),
        },
        _ => new Dictionary<string, double>
        {
            ["rmse"] = Rmse(labels, predictions),
            ["mae"] = Mae(labels, predictions),
        },
    };

    /// <summary>Area under the ROC curve via the rank-sum (Mann–Whitney) form; tied scores share their average rank, as in scikit-learn.</summary>
    public static double Auc(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores)
    {
        var order = new int[labels.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var scoreArray = scores.ToArray();
        Array.Sort(scoreArray.ToArray(), order);
        double positives = 0, rankSum = 0;
        var index = 0;
        while (index < order.Length)
        {
            var end = index;
            while (end + 1 < order.Length && scoreArray[order[end + 1]] == scoreArray[order[index]]) end++;
            var averageRank = (index + end) / 2.0 + 1;
            for (var k = index; k <= end; k++)
            {
                if (labels[order[k]] > 0.5f)
                {
                    positives++;
                    rankSum += averageRank;
                }
            }
            index = end + 1;
        }
        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /// <summary>Binary cross-entropy, probabilities clipped to [1e-15, 1 − 1e-15].</summary>
    public static double LogLoss(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities)
    {
        double sum = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp((double)probabilities[i], 1e-15, 1 - 1e-15);
            sum -= labels[i] > 0.5f ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / labels.Length;
    }

    /// <summary>Share of rows whose probability is on the label's side of 0.5.</summary>
    public static double Accuracy(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if ((probabilities[i] > 0.5f) == (labels[i] > 0.5f)) correct++;
        }
        return (double)correct / labels.Length;
    }

    public static double Rmse(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions)
    {
        double sum = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var error = (double)predictions[i] - labels[i];
            sum += error * error;
        }
        return Math.Sqrt(sum / labels.Length);
    }

    public static double Mae(ReadOnlySpan<float> labels, ReadOnlySpan<float> predictions)
    {
        double sum = 0;
        for (var i = 0; i < labels.Length; i++) sum += Math.Abs((double)predictions[i] - labels[i]);
        return sum / labels.Length;
    }

    /// <summary>
    /// Mean −log p(true class). As scikit-learn does, each probability is clipped to [1e-15, 1 − 1e-15] and each row
    /// renormalized to sum to 1 (float32 softmax outputs rarely sum to exactly 1).
    /// </summary>
    public static double MultiClassLogLoss(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities, int numClass)
    {
        double sum = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = probabilities.Slice(i * numClass, numClass);
            double total = 0;
            foreach (var p in row)
            {
                total += Math.Clamp((double)p, 1e-15, 1 - 1e-15);
            }
            sum -= Math.Log(Math.Clamp((double)row[(int)labels[i]], 1e-15, 1 - 1e-15) / total);
        }
        return sum / labels.Length;
    }

    public static double MultiClassAccuracy(ReadOnlySpan<float> labels, ReadOnlySpan<float> probabilities, int numClass)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = probabilities.Slice(i * numClass, numClass);
            var best = 0;
            for (var c = 1; c < numClass; c++) if (row[c] > row[best]) best = c;
            if (best == (int)labels[i]) correct++;
        }
        return (double)correct / labels.Length;
    }
}
