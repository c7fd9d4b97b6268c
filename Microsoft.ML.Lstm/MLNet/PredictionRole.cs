namespace Microsoft.ML.Lstm.MLNet;

/// <summary>The role ML.NET's scorers mark a prediction column with: the task, and what of it the column holds.</summary>
/// <param name="Task">The score column kind.</param>
/// <param name="Value">The score value kind.</param>
internal readonly record struct PredictionRole(PredictionTask Task, PredictionValue Value);
