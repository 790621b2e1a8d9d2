using System.Text.Json.Serialization;

namespace Cascade.Ml.Evaluation.Categorical;

/// <summary>How a categorical column becomes model features; written <c>one_hot</c> / <c>ordinal</c> in manifests and profiles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CategoricalEncoding>))]
public enum CategoricalEncoding
{
    /// <summary>One feature per vocabulary value (<c>column=value</c>): 1 for the row's value, 0 for the others.</summary>
    [JsonStringEnumMemberName("one_hot")] OneHot,

    /// <summary>One feature: the value's index in the vocabulary.</summary>
    [JsonStringEnumMemberName("ordinal")] Ordinal,
}
