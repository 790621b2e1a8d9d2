using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cascade.Monitoring.Domain.Profiles;

/// <summary>The distributions a model version was trained on, which live traffic is compared against.</summary>
/// <param name="Features">One profile per model input, in the order of the feature vector.</param>
/// <param name="Prediction">The distribution of the model's first output on the training data.</param>
public sealed record ReferenceProfile(
    [property: JsonPropertyName("features")] IReadOnlyList<FeatureProfile> Features,
    [property: JsonPropertyName("prediction")] FeatureProfile Prediction)
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Reads the <c>reference_profile.json</c> of a model artifact and validates it.</summary>
    public static ReferenceProfile FromJson(ReadOnlySpan<byte> utf8Json)
    {
        var profile = JsonSerializer.Deserialize<ReferenceProfile>(utf8Json, Json)
            ?? throw new ArgumentException("The reference profile is empty.", nameof(utf8Json));
        profile.Validate();
        return profile;
    }

    /// <summary>Throws when a feature profile is unusable or two features share a name.</summary>
    public void Validate()
    {
        if (Features is null || Prediction is null) throw new ArgumentException("A reference profile needs features and a prediction.");
        foreach (var feature in Features) feature.Validate();
        Prediction.Validate();
        var duplicate = Features.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Feature '{duplicate.Key}' appears twice in the reference profile.");
    }
}
