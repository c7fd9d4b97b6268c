using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Everything a forecasting transformer knows besides its network: the columns, the horizon, each series' season and
/// window, the covariates' standardization and the intervals' calibration. Written to the model file's
/// <c>"transformer.forecast"</c> section (strings length-prefixed UTF-8, int32, float32, float64):
/// <code>
/// value column · series column ("" for none) · covariate count · each covariate column ·
/// output column · lower bound column ("" for none) · upper bound column ("" for none) ·
/// horizon · window size · confidence level · baseline · default season · interval scale ·
/// covariate means [C] · covariate scales [C] · default window · series count · per series: name · season · window
/// </code>
/// </summary>
internal sealed record ForecastSettings
{
    /// <summary>The model file's section.</summary>
    public const string Section = "transformer.forecast";

    /// <summary>Most series a model remembers a season for.</summary>
    public const int MaxSeriesCount = 1 << 24;

    /// <summary>Longest column or series name a model file may hold, in UTF-8 bytes.</summary>
    private const int MaxNameBytes = 1 << 16;

    public required string ValueColumnName { get; init; }
    public string? SeriesColumnName { get; init; }
    public string[] CovariateColumnNames { get; init; } = [];
    public required string OutputColumnName { get; init; }
    public string? LowerBoundColumnName { get; init; }
    public string? UpperBoundColumnName { get; init; }
    public required int Horizon { get; init; }
    /// <summary>The longest window of any series: what a history keeps.</summary>
    public required int WindowSize { get; init; }

    /// <summary>The window of a series the model did not see in training (that of the default season).</summary>
    public int DefaultWindow { get; init; } = 1;

    /// <summary>The window chosen for each series seen in training (two of its seasons, at least the horizon: series of different seasons read windows of different lengths).</summary>
    public IReadOnlyDictionary<string, int> Windows { get; init; } = new Dictionary<string, int>();
    public required float ConfidenceLevel { get; init; }
    public ForecastBaseline Baseline { get; init; } = ForecastBaseline.SeasonalNaive;

    /// <summary>The season of a series the model did not see in training (the most common one among those it did).</summary>
    public int DefaultSeason { get; init; } = 1;

    /// <summary>How much the quantile outputs' distances from the median are widened (calibration on held-out windows; 1 without).</summary>
    public float IntervalScale { get; init; } = 1;

    public float[] CovariateMeans { get; init; } = [];
    public float[] CovariateScales { get; init; } = [];

    /// <summary>The season found for each series seen in training.</summary>
    public IReadOnlyDictionary<string, int> Seasons { get; init; } = new Dictionary<string, int>();

    /// <summary>Covariates per step (C).</summary>
    public int CovariateCount => CovariateColumnNames.Length;

    /// <summary>
    /// Whether the covariates' values over the horizon feed the forecast (each step also carries the covariates of the
    /// step H later: see <see cref="SeriesWindow"/>). True for every model with covariates trained by this version;
    /// false for the first format's models, which read covariates only inside the window. Not in this section: it is
    /// the network's (<see cref="ForecastHeadSpec.FutureCovariates"/>), set by <see cref="WithNetwork"/>.
    /// </summary>
    public bool FutureCovariates { get; init; }

    /// <summary>Covariates the forecast reads for each of the H coming steps: C with <see cref="FutureCovariates"/>, else 0.</summary>
    public int FutureCovariateCount => FutureCovariates ? CovariateCount : 0;

    /// <summary>Values per step of the network's input: the value's, the covariates, and their lead channels.</summary>
    public int FeaturesPerStep => SeriesWindow.ValueFeatures + CovariateCount + FutureCovariateCount;

    /// <summary>The quantile levels the network outputs: the median, then the interval's lower and upper levels.</summary>
    public float[] QuantileLevels => [0.5f, (1 - ConfidenceLevel) / 2, (1 + ConfidenceLevel) / 2];

    /// <summary>The season of <paramref name="series"/>.</summary>
    public int SeasonOf(string series) => Seasons.TryGetValue(series, out int season) ? season : DefaultSeason;

    /// <summary>The window of <paramref name="series"/>.</summary>
    public int WindowOf(string series) => Windows.TryGetValue(series, out int window) ? window : DefaultWindow;

    /// <summary>Writes the section.</summary>
    public void Write(ModelSectionWriter writer)
    {
        writer.WriteString(ValueColumnName);
        writer.WriteString(SeriesColumnName ?? "");
        writer.WriteInt32(CovariateCount);
        foreach (string name in CovariateColumnNames)
            writer.WriteString(name);
        writer.WriteString(OutputColumnName);
        writer.WriteString(LowerBoundColumnName ?? "");
        writer.WriteString(UpperBoundColumnName ?? "");
        writer.WriteInt32(Horizon);
        writer.WriteInt32(WindowSize);
        writer.WriteDouble(ConfidenceLevel);
        writer.WriteEnum(Baseline);
        writer.WriteInt32(DefaultSeason);
        writer.WriteDouble(IntervalScale);
        writer.WriteFloats(CovariateMeans);
        writer.WriteFloats(CovariateScales);
        writer.WriteInt32(DefaultWindow);
        writer.WriteInt32(Seasons.Count);
        foreach (var (name, season) in Seasons.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(name);
            writer.WriteInt32(season);
            writer.WriteInt32(WindowOf(name));
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote, checking every size and value.</summary>
    /// <exception cref="InvalidDataException">The section is malformed.</exception>
    public static ForecastSettings Read(ModelSectionReader reader)
    {
        string value = reader.ReadString("value column", MaxNameBytes);
        string series = reader.ReadString("series column", MaxNameBytes);
        int covariateCount = reader.ReadCount("covariate columns", EncoderSpec.MaxWidth - SeriesWindow.ValueFeatures, sizeof(int));
        var covariates = new string[covariateCount];
        for (int i = 0; i < covariateCount; i++)
            covariates[i] = reader.ReadString("covariate column", MaxNameBytes);
        string output = reader.ReadString("output column", MaxNameBytes);
        string lower = reader.ReadString("lower bound column", MaxNameBytes);
        string upper = reader.ReadString("upper bound column", MaxNameBytes);
        int horizon = reader.ReadInt32("horizon", 1, ForecastHeadSpec.MaxHorizon);
        int window = reader.ReadInt32("window size", 1, EncoderSpec.MaxWidth);
        double confidence = reader.ReadDouble("confidence level", double.Epsilon, 1 - 1e-9);
        var baseline = reader.ReadEnum<ForecastBaseline>("baseline");
        int defaultSeason = reader.ReadInt32("default season", 1, window);
        double intervalScale = reader.ReadDouble("interval scale", 0, 1e6);
        float[] means = reader.ReadFloats("covariate means", covariateCount);
        float[] scales = reader.ReadFloats("covariate scales", covariateCount);
        if (means.Any(m => !float.IsFinite(m)) || scales.Any(s => !(float.IsFinite(s) && s > 0)))
            throw new InvalidDataException("The model file's covariate standardization holds a value that is not finite, or a scale that is not positive.");
        int defaultWindow = reader.ReadInt32("default window", 1, window);
        int seriesCount = reader.ReadCount("series", MaxSeriesCount, 3 * sizeof(int));
        var seasons = new Dictionary<string, int>(seriesCount, StringComparer.Ordinal);
        var windows = new Dictionary<string, int>(seriesCount, StringComparer.Ordinal);
        for (int i = 0; i < seriesCount; i++)
        {
            string name = reader.ReadString("series name", MaxNameBytes);
            if (!seasons.TryAdd(name, reader.ReadInt32("season", 1, window)))
                throw new InvalidDataException($"The model file names the series '{name}' twice.");
            windows.Add(name, reader.ReadInt32("series window", 1, window));
        }
        reader.ExpectEnd();
        if (string.IsNullOrEmpty(value) || string.IsNullOrEmpty(output))
            throw new InvalidDataException("The model file's forecasting section has an empty value or output column name.");
        return new ForecastSettings
        {
            ValueColumnName = value,
            SeriesColumnName = series.Length == 0 ? null : series,
            CovariateColumnNames = covariates,
            OutputColumnName = output,
            LowerBoundColumnName = lower.Length == 0 ? null : lower,
            UpperBoundColumnName = upper.Length == 0 ? null : upper,
            Horizon = horizon,
            WindowSize = window,
            ConfidenceLevel = (float)confidence,
            Baseline = baseline,
            DefaultSeason = defaultSeason,
            IntervalScale = (float)intervalScale,
            CovariateMeans = means,
            CovariateScales = scales,
            Seasons = seasons,
            DefaultWindow = defaultWindow,
            Windows = windows,
        };
    }

    /// <summary>These settings with <see cref="FutureCovariates"/> as the network read from the same file says.</summary>
    public ForecastSettings WithNetwork(NetworkSpec spec) =>
        this with { FutureCovariates = spec.Head is ForecastHeadSpec { FutureCovariates: > 0 } };

    /// <summary>Throws <see cref="InvalidDataException"/> unless <paramref name="spec"/> is the network these settings need.</summary>
    public void CheckFits(NetworkSpec spec)
    {
        if (spec.Encoder.Input != SequenceInputKind.Features || spec.Encoder.FeaturesPerStep != FeaturesPerStep || spec.Encoder.ExtraFeaturesPerStep != 0)
            throw new InvalidDataException($"The model file's network does not read {FeaturesPerStep} values per step, as its forecasting section says.");
        if (spec.Head is not ForecastHeadSpec head || head.Horizon != Horizon || !head.Quantiles.AsSpan().SequenceEqual(QuantileLevels))
            throw new InvalidDataException($"The model file's network is not a forecasting network of horizon {Horizon} at the levels of confidence {ConfidenceLevel}.");
        if (head.FutureCovariates != FutureCovariateCount || (FutureCovariates && head.FutureCovariateOffset != SeriesWindow.ValueFeatures + CovariateCount))
            throw new InvalidDataException($"The model file's network reads {head.FutureCovariates} future covariates; its forecasting section names {CovariateCount} covariates.");
        int shortest = Math.Min(DefaultWindow, Windows.Count == 0 ? DefaultWindow : Windows.Values.Min());
        if (head.InputSkipSteps > shortest)
            throw new InvalidDataException($"The model file's network reads {head.InputSkipSteps} steps; its shortest window holds {shortest}.");
        if (FutureCovariates && Horizon > shortest)
            throw new InvalidDataException($"The model file's network reads the covariates of {Horizon} forecast steps from the last steps of windows; its shortest window holds {shortest}.");
        if (Seasons.Any(pair => pair.Value > WindowOf(pair.Key)) || DefaultSeason > DefaultWindow)
            throw new InvalidDataException("The model file's seasons reach past their windows.");
    }
}
