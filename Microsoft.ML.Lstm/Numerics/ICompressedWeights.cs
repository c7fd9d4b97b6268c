namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// A storage format of compressed weights as the kernels see it: bytes per weight and the widening load. The
/// formats are structs so the kernels, generic over them, are compiled once per format with the load inlined.
/// </summary>
internal unsafe interface ICompressedWeights
{
    /// <summary>Bytes one weight takes.</summary>
    static abstract int BytesPerWeight { get; }

    /// <summary>TVector.Count weights from <paramref name="source"/>, widened to floats.</summary>
    static abstract TVector Load<TVector>(byte* source) where TVector : struct, IWideningVector<TVector>;
}
