using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>
/// What a trainer needs from the <c>MLContext</c> it was made from: the host environment behind a
/// catalog (internal in ML.NET; its own catalogs call the same <c>CatalogUtils.GetEnvironment</c>),
/// and the seed the context was created with.
/// </summary>
internal static class MLNetEnvironment
{
    /// <summary>The environment of the <c>MLContext</c> that owns <paramref name="catalog"/>.</summary>
    public static IHostEnvironment Of(TrainCatalogBase.CatalogInstantiatorBase catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return CatalogUtils.GetEnvironment(catalog);
    }

    /// <summary>The environment of the <c>MLContext</c> that owns the transforms' <paramref name="catalog"/>.</summary>
    public static IHostEnvironment Of(TransformsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return CatalogUtils.GetEnvironment(catalog);
    }

    /// <summary>The environment of the <c>MLContext</c> that owns the forecasting catalog.</summary>
    public static IHostEnvironment Of(ForecastingCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ((IInternalCatalog)catalog).Environment;
    }

    /// <summary>
    /// The seed <paramref name="env"/>'s <c>MLContext</c> was created with; otherwise a number drawn
    /// from the host's random source (random when the context has no seed, as in ML.NET's own trainers).
    /// </summary>
    public static int SeedOf(IHostEnvironment env, IHost host) =>
        (env as IHostEnvironmentInternal)?.Seed ?? host.Rand.Next();
}
