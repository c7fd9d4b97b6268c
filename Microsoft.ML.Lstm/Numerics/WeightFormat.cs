namespace Microsoft.ML.Lstm.Numerics;

/// <summary>How a compressed weight matrix stores each weight (<see cref="QuantizedMatrix"/>).</summary>
internal enum WeightFormat
{
    /// <summary>bfloat16: a float's upper 16 bits (sign, 8 exponent bits, 7 mantissa bits), rounded to nearest even; widened back by a shift, exactly.</summary>
    BFloat16 = 1,

    /// <summary>int8 in [−127, 127] times one float scale per row of the matrix (max |w| of the row / 127).</summary>
    Int8 = 2,
}
