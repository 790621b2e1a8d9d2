using Cascade.Ml.Evaluation.Categorical;
using WireColumn = Cascade.Contracts.Common.V1.CategoricalColumn;
using WireEncoding = Cascade.Contracts.Common.V1.CategoricalEncoding;

namespace Cascade.Features.Grpc;

/// <summary>Categorical encodings to and from <c>cascade.common.v1.CategoricalColumn</c> (view meta, events, the stored resolved vocabularies).</summary>
public static class CategoricalMapping
{
    public static WireColumn ToProto(CategoricalColumn column) => new()
    {
        Column = column.Column,
        Encoding = column.Encoding == CategoricalEncoding.OneHot ? WireEncoding.OneHot : WireEncoding.Ordinal,
        Vocabulary = { column.Vocabulary },
        FeatureNames = { column.FeatureNames },
    };

    public static IEnumerable<WireColumn> ToProto(IEnumerable<CategoricalColumn> columns) => columns.Select(ToProto);
}
