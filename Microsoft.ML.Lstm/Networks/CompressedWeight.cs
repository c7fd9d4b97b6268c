using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>One weight matrix of a <see cref="WeightCompression"/>: the parameter it replaces, its compressed values and their packing for the kernels.</summary>
/// <param name="Name">The parameter's name (<c>encoder.layer0.forward.weight_hh</c>).</param>
/// <param name="Values">The compressed weights, in the parameter's own layout: what a model file holds.</param>
/// <param name="Packed">The same weights packed for this CPU's compressed kernels; null for an embedding table, which is read by row.</param>
internal sealed record CompressedWeight(string Name, QuantizedMatrix Values, CompressedPackedMatrix? Packed);
