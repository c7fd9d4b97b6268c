namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The last W observations of one series (value and covariates; NaN values kept as missing) and how many it has had:
/// all a forecast needs, so the transformer's cursor and the forecasting engine keep one per series.
/// </summary>
internal sealed class SeriesHistory
{
    private readonly float[] values;      // [W], oldest first
    private readonly float[] covariates;  // [W, C]

    /// <summary>An empty history of a series, for windows of <paramref name="windowSize"/> steps with <paramref name="covariateCount"/> covariates.</summary>
    public SeriesHistory(int windowSize, int covariateCount)
    {
        values = new float[windowSize];
        covariates = new float[windowSize * covariateCount];
        CovariateCount = covariateCount;
    }

    /// <summary>Covariates per step.</summary>
    public int CovariateCount { get; }

    /// <summary>Observations so far (they may be more than the window keeps).</summary>
    public long Count { get; private set; }

    /// <summary>Whether a whole window has been observed.</summary>
    public bool IsFull => Count >= values.Length;

    /// <summary>The window's values [W], oldest first (meaningful once <see cref="IsFull"/>).</summary>
    public ReadOnlySpan<float> Values => values;

    /// <summary>The window's covariates [W, C].</summary>
    public ReadOnlySpan<float> Covariates => covariates;

    /// <summary>Adds the next observation; the oldest leaves the window.</summary>
    public void Append(float value, ReadOnlySpan<float> stepCovariates)
    {
        int c = CovariateCount;
        values.AsSpan(1).CopyTo(values);
        values[^1] = value;
        if (c > 0)
        {
            covariates.AsSpan(c).CopyTo(covariates);
            stepCovariates.CopyTo(covariates.AsSpan(covariates.Length - c));
        }
        Count++;
    }

    /// <summary>Writes the history (count · values · covariates).</summary>
    public void Write(Networks.ModelSectionWriter writer)
    {
        writer.WriteInt64(Count);
        writer.WriteFloats(values);
        writer.WriteFloats(covariates);
    }

    /// <summary>Reads what <see cref="Write"/> wrote into this (empty) history.</summary>
    public void Read(Networks.ModelSectionReader reader)
    {
        Count = reader.ReadInt64("observations", 0, long.MaxValue);
        reader.ReadFloats("window values", values);
        reader.ReadFloats("window covariates", covariates);
        if (values.Any(float.IsInfinity) || covariates.Any(v => !float.IsFinite(v)))
            throw new InvalidDataException("The forecasting engine's saved state holds an infinite value.");
    }
}
