namespace Microsoft.ML.Lstm;

/// <summary>
/// How a trained transformer stores and runs its recurrent weights (every layer's input and recurrent matrices, which
/// one-row scoring reads at every step) and stores its embedding tables. Chosen after training with
/// <see cref="WeightPrecisionExtensions.WithWeightPrecision{TTransformer}(TTransformer, WeightPrecision)"/>; saved and
/// loaded with the model.
/// </summary>
public enum WeightPrecision
{
    /// <summary>32-bit floats, as trained: the default.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16 (a float's upper 16 bits, rounded to nearest even): half the bytes, about 3 significant digits per weight.
    /// Widened to float32 in registers; sums are float32.
    /// </summary>
    BFloat16 = 1,

    /// <summary>
    /// 8-bit integers with one float scale per output unit (max |w| / 127): a quarter of the bytes, each weight within
    /// half a scale step of its float value. Multiplied as integers by the layer's inputs rounded to 7 bits per row
    /// (max |x| / 63, each value within 1/126 of its row's largest, as dynamically quantized activations are in PyTorch and
    /// ONNX Runtime); the sums are exact, then scaled to float32.
    /// </summary>
    Int8 = 2,
}
