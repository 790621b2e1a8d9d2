namespace Cascade.Monitoring.Domain;

/// <summary>
/// One served prediction as Monitoring sees it (from <c>PredictionLogged</c>). A struct whose vectors may be borrowed
/// buffers: the monitor copies what it keeps, so the consumer reads every prediction into the same memory.
/// </summary>
/// <param name="PredictionId">Serving's id for the prediction; labels join by it.</param>
/// <param name="Model">Model name.</param>
/// <param name="Version">The version that answered; predictions of other versions (canary, shadow) are not the served champion's and are ignored.</param>
/// <param name="EntityId">The entity predicted for, when known; labels without a prediction id join by it.</param>
/// <param name="Time">Event time of the prediction.</param>
/// <param name="Offset">Position in the model's prediction stream (the predictions topic is keyed by model, so a model's
/// offsets increase); a record at or below the last offset seen is a redelivery and is skipped.</param>
/// <param name="Features">The feature vector, in the order of the reference profile's features; NaN means missing.</param>
/// <param name="Outputs">The model's outputs: one value, or one probability per class.</param>
/// <param name="Withheld">Positions in <paramref name="Features"/> that the log withheld (features of sensitive columns,
/// NaN in <paramref name="Features"/>): not missing values but unknown ones, so their drift is not measured.</param>
/// <param name="Segment">The group of the version's segment column Serving logged with it (<c>PredictionLogged.segment</c>);
/// null or empty when none.</param>
public readonly record struct PredictionRecord(
    string PredictionId,
    string Model,
    int Version,
    string? EntityId,
    DateTimeOffset Time,
    long Offset,
    ReadOnlyMemory<float> Features,
    ReadOnlyMemory<float> Outputs,
    ReadOnlyMemory<int> Withheld = default,
    string? Segment = null);
