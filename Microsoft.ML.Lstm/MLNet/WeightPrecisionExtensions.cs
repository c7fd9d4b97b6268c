using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Compressed scoring: a trained transformer whose recurrent weights are stored and run in bfloat16, or in int8 with a
/// scale per output unit, which cuts the bytes a scoring step streams from memory (one-row scoring reads every recurrent
/// weight at every step) and the size of the saved model.
/// </summary>
/// <remarks>
/// <para>
/// The transformer returned scores, saves (<c>mlContext.Model.Save</c>) and loads (<c>mlContext.Model.Load</c>) in the
/// compressed form, bit for bit; the one it is made from is not changed. The recurrent layers' input and recurrent
/// matrices (the character encoder's too) are stored and multiplied compressed: bfloat16 widened to float32 in registers
/// and summed in float32; int8 multiplied as integers by the layer's inputs rounded to 7 bits per row, the sums exact
/// and then scaled to float32. The embedding tables are stored compressed and read as the float values they stand for;
/// biases and the output layer stay float32. Predictions move by the rounding of the weights (and, for int8, of the
/// inputs to each product): see README's "Compressed inference" for the accuracy and speed measured on each job.
/// </para>
/// <para>
/// A model file holding compressed weights is of format version 2, which versions of the package before this option
/// refuse by number ("Load it with a newer Microsoft.ML.Lstm"); a float32 model is written as before and loads in them.
/// </para>
/// </remarks>
public static class WeightPrecisionExtensions
{
    /// <summary>
    /// A copy of <paramref name="transformer"/> (a classifier, regressor, tagger or featurizer of this package) whose
    /// recurrent weights are stored and run in <paramref name="precision"/>.
    /// </summary>
    /// <typeparam name="TTransformer">The transformer's type, which the copy has too.</typeparam>
    /// <param name="transformer">A trained transformer; not changed.</param>
    /// <param name="precision">
    /// <see cref="WeightPrecision.BFloat16"/> or <see cref="WeightPrecision.Int8"/>; <see cref="WeightPrecision.Float32"/>
    /// gives float32 weights again, with the values the compressed ones stood for (the original floats are not kept).
    /// Compressing an already compressed transformer starts from the values its weights stand for.
    /// </param>
    /// <returns>A new transformer of the same type, columns and options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    public static TTransformer WithWeightPrecision<TTransformer>(this TTransformer transformer, WeightPrecision precision)
        where TTransformer : SequencePredictionTransformerBase
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return (TTransformer)transformer.WithModel(transformer.Model.WithWeightFormat(FormatOf(precision)));
    }

    /// <summary>A copy of a forecaster whose recurrent weights are stored and run in <paramref name="precision"/>.</summary>
    /// <param name="transformer">A trained forecaster; not changed.</param>
    /// <param name="precision">As for the other transformers (<see cref="WithWeightPrecision{TTransformer}(TTransformer, WeightPrecision)"/>).</param>
    /// <returns>A new forecaster with the same columns, windows and intervals.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    public static LstmForecastingTransformer WithWeightPrecision(this LstmForecastingTransformer transformer, WeightPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return transformer.WithModel(transformer.Model.WithWeightFormat(FormatOf(precision)));
    }

    /// <summary>The network's weight format for a precision: null for float32.</summary>
    internal static WeightFormat? FormatOf(WeightPrecision precision) => precision switch
    {
        WeightPrecision.Float32 => null,
        WeightPrecision.BFloat16 => WeightFormat.BFloat16,
        WeightPrecision.Int8 => WeightFormat.Int8,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Expected Float32, BFloat16 or Int8."),
    };

    /// <summary>The precision of a network's weight format (null: float32).</summary>
    internal static WeightPrecision PrecisionOf(WeightFormat? format) => format switch
    {
        WeightFormat.BFloat16 => WeightPrecision.BFloat16,
        WeightFormat.Int8 => WeightPrecision.Int8,
        _ => WeightPrecision.Float32,
    };
}
