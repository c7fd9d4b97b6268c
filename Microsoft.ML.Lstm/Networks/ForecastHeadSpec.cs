using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="ForecastHead{T}"/>: the encoder's last step, dropout, and a dense layer giving every horizon's value at
/// every quantile level at once (direct multi-horizon forecasting), plus a linear map from the last
/// <see cref="InputSkipSteps"/> values of the input's first feature (an autoregressive skip around the recurrent
/// stack), plus a linear map from the horizon's known covariates (<see cref="FutureCovariates"/>, read from the lead
/// channels of the last H input steps), trained with the pinball (quantile) loss. Targets that are NaN (missing
/// observations) are left out of the loss.
/// </summary>
internal sealed record ForecastHeadSpec : HeadSpec
{
    /// <summary>Most steps a forecast may reach ahead.</summary>
    public const int MaxHorizon = 1 << 12;

    /// <summary>Most quantile levels.</summary>
    public const int MaxQuantileCount = 64;

    /// <summary>Steps forecast (H).</summary>
    public required int Horizon { get; init; }

    /// <summary>Quantile levels in (0, 1) (Q), the first being the point forecast's (0.5: the median).</summary>
    public required float[] Quantiles { get; init; }

    /// <summary>Last input steps whose first feature feeds the outputs linearly (K); 0 for none.</summary>
    public int InputSkipSteps { get; init; }

    /// <summary>
    /// Covariates known over the horizon (C); 0 for none. Each input step t then carries, from feature
    /// <see cref="FutureCovariateOffset"/> on, the covariates of step t + H, so the last H steps of a sequence hold the
    /// covariates of the H forecast steps, which the head maps linearly to its outputs.
    /// </summary>
    public int FutureCovariates { get; init; }

    /// <summary>The first of the <see cref="FutureCovariates"/> lead channels in an input step.</summary>
    public int FutureCovariateOffset { get; init; }

    /// <summary>Values the head reads from the horizon's covariates: H · C.</summary>
    public int FutureInputSize => Horizon * FutureCovariates;

    /// <summary>Outputs per sequence: H values for each of the Q levels, level after level.</summary>
    public int OutputSize => Horizon * Quantiles.Length;

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new ForecastHead<T>(this, store, encoder, random);

    /// <inheritdoc />
    public override long ParameterCount(EncoderSpec encoder) =>
        (long)encoder.OutputSize * OutputSize + OutputSize + (InputSkipSteps > 0 ? ((long)InputSkipSteps + 1) * OutputSize : 0)
        + (FutureCovariates > 0 ? ((long)FutureInputSize + 1) * OutputSize : 0);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(Horizon is > 0 and <= MaxHorizon, nameof(Horizon), Horizon, $"in [1, {MaxHorizon}]");
        EncoderSpec.Require(Quantiles is { Length: > 0 and <= MaxQuantileCount }, nameof(Quantiles), Quantiles?.Length ?? 0, $"1 to {MaxQuantileCount} levels");
        foreach (float level in Quantiles!)
            EncoderSpec.Require(level is > 0 and < 1, nameof(Quantiles), level, "a level in (0, 1)");
        EncoderSpec.Require(InputSkipSteps is >= 0 and <= EncoderSpec.MaxWidth, nameof(InputSkipSteps), InputSkipSteps, $"in [0, {EncoderSpec.MaxWidth}]");
        EncoderSpec.Require(FutureCovariates is >= 0 and <= EncoderSpec.MaxWidth, nameof(FutureCovariates), FutureCovariates, $"in [0, {EncoderSpec.MaxWidth}]");
        EncoderSpec.Require(FutureCovariateOffset is >= 0 and <= EncoderSpec.MaxWidth, nameof(FutureCovariateOffset), FutureCovariateOffset, $"in [0, {EncoderSpec.MaxWidth}]");
    }

    /// <inheritdoc />
    public override void ValidateWith(EncoderSpec encoder)
    {
        if ((InputSkipSteps > 0 || FutureCovariates > 0) && encoder.Input != SequenceInputKind.Features)
            throw new ArgumentException("The forecasting head's input skip and future covariates read numeric steps; this encoder reads token ids.", nameof(encoder));
        if (FutureCovariates > 0 && FutureCovariateOffset + FutureCovariates > encoder.FeaturesPerStep)
            throw new ArgumentException($"The forecasting head reads {FutureCovariates} lead covariates from feature {FutureCovariateOffset} of each step; the encoder's steps hold {encoder.FeaturesPerStep} features.", nameof(encoder));
    }

    /// <summary>Value equality that compares the levels' values, not their arrays.</summary>
    public bool Equals(ForecastHeadSpec? other) =>
        other is not null && base.Equals(other) && Horizon == other.Horizon && InputSkipSteps == other.InputSkipSteps
        && FutureCovariates == other.FutureCovariates && FutureCovariateOffset == other.FutureCovariateOffset
        && Quantiles.AsSpan().SequenceEqual(other.Quantiles);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Horizon, InputSkipSteps, FutureCovariates, Quantiles.Length);
}
