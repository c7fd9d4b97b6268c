using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>
/// The prediction columns a trainer promises in <c>GetOutputSchema</c>, with the annotations ML.NET's
/// own trainers declare for them. <c>SchemaShape.Column</c>'s constructor and the annotation helpers
/// are internal to ML.NET, hence this file's place.
/// </summary>
internal static class PredictionColumnShapes
{
    /// <summary><c>Score</c> (float), <c>Probability</c> (float), <c>PredictedLabel</c> (bool).</summary>
    public static SchemaShape.Column[] BinaryClassification() =>
    [
        new(PredictionColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
        new(PredictionColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true))),
        new(PredictionColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <summary><c>Score</c> (float vector, one per class), <c>PredictedLabel</c> (a key with the label's values).</summary>
    public static SchemaShape.Column[] MulticlassClassification(SchemaShape.Column label)
    {
        var predictedLabelAnnotations = label.Annotations
            .Where(annotation => annotation.Name == AnnotationUtils.Kinds.KeyValues)
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation());
        return
        [
            new(PredictionColumnNames.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(label))),
            new(PredictionColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true,
                new SchemaShape(predictedLabelAnnotations)),
        ];
    }

    /// <summary><c>Score</c>: a float, or a vector of floats (one per target) when <paramref name="vectorScore"/>.</summary>
    public static SchemaShape.Column[] Regression(bool vectorScore) =>
    [
        new(PredictionColumnNames.Score, vectorScore ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <summary>
    /// <c>Score</c> (a variable-length float vector: each token's probability of its tag) and <c>PredictedLabel</c> (a
    /// variable-length key vector with the label's values). Neither carries a score-column kind: ML.NET's evaluators
    /// read one prediction per row, and <c>EvaluateTagging</c> finds the columns by name.
    /// </summary>
    public static SchemaShape.Column[] Tagging(SchemaShape.Column label)
    {
        var predictedLabelAnnotations = label.Annotations.Where(annotation => annotation.Name == AnnotationUtils.Kinds.KeyValues);
        return
        [
            new(PredictionColumnNames.Score, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.Single, false),
            new(PredictionColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.VariableVector, NumberDataViewType.UInt32, true,
                new SchemaShape(predictedLabelAnnotations)),
        ];
    }

    /// <summary>A featurizer's output: a fixed-size float vector with slot names.</summary>
    public static SchemaShape.Column Features(string name) =>
        new(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
            new SchemaShape([new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]));
}
