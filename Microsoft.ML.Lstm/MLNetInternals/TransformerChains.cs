using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>
/// Rebuilds a fitted pipeline with some of its transformers replaced, keeping each one's <see cref="TransformerScope"/>.
/// A chain's scopes are internal to ML.NET (<c>ITransformerChainAccessor</c>, which its own model saving reads); the
/// public constructor takes them back.
/// </summary>
internal static class TransformerChains
{
    /// <summary>
    /// <paramref name="model"/> with <paramref name="map"/> applied to every transformer that is not a chain, chains
    /// (nested ones too) rebuilt around the results in the same order and scopes; a model that is not a chain is mapped
    /// itself. A chain whose transformers all map to themselves is returned as it is.
    /// </summary>
    public static ITransformer Map(ITransformer model, Func<ITransformer, ITransformer> map)
    {
        if (model is not ITransformerChainAccessor chain)
            return map(model);
        ITransformer[] transformers = chain.Transformers;
        var mapped = new ITransformer[transformers.Length];
        bool changed = false;
        for (int i = 0; i < transformers.Length; i++)
        {
            mapped[i] = Map(transformers[i], map);
            changed |= !ReferenceEquals(mapped[i], transformers[i]);
        }
        return changed ? new TransformerChain<ITransformer>(mapped, chain.Scopes) : model;
    }
}
