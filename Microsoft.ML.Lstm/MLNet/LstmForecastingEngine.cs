using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Forecasts from a deployed <see cref="LstmForecastingTransformer"/> as observations arrive, without refitting: feed
/// each series' observations with <see cref="Observe"/> and ask for its next horizon with <see cref="Forecast(string?)"/>,
/// or, for a model with covariates, <see cref="Forecast(string?, float[,])"/> with the covariates of the coming steps. It
/// keeps each series' last window, so its forecasts are those <see cref="LstmForecastingTransformer.Transform"/> writes
/// on the row of the last observation (followed by rows holding those covariates), bit for bit. <see cref="CheckPoint(Stream)"/> saves that state and
/// <see cref="LstmForecastingTransformer.CreateForecastingEngine(Stream)"/> continues from it. Not thread-safe.
/// </summary>
public sealed class LstmForecastingEngine
{
    private const string StateSection = "engine.state";
    private const string ShapeSection = "engine.shape";
    private readonly LstmForecastingTransformer transformer;
    private readonly Dictionary<string, SeriesHistory> histories = new(StringComparer.Ordinal);
    private readonly WindowForecaster forecaster;

    internal LstmForecastingEngine(LstmForecastingTransformer transformer)
    {
        this.transformer = transformer;
        forecaster = transformer.NewForecaster();
    }

    /// <summary>Steps each forecast covers.</summary>
    public int Horizon => transformer.Horizon;

    /// <summary>The series observed so far ("" for data without a series column).</summary>
    public IReadOnlyCollection<string> Series => histories.Keys;

    /// <summary>Adds the next observation of a series.</summary>
    /// <param name="value">The value (NaN for a missing one).</param>
    /// <param name="series">The series' id as the series column holds it; null or "" for a model trained without one.</param>
    /// <param name="covariates">The step's covariates, in the order of the options' covariate columns.</param>
    /// <exception cref="ArgumentException">The value is infinite, or the covariates are not the model's count or not finite.</exception>
    public void Observe(float value, string? series = null, ReadOnlySpan<float> covariates = default)
    {
        if (float.IsInfinity(value))
            throw new ArgumentException($"The value is {value}; expected a finite number, or NaN for a missing value.", nameof(value));
        ForecastSettings settings = transformer.Settings;
        if (covariates.Length != settings.CovariateCount)
            throw new ArgumentException($"The model reads {settings.CovariateCount} covariates per step ({string.Join(", ", settings.CovariateColumnNames)}); {covariates.Length} were given.", nameof(covariates));
        foreach (float covariate in covariates)
        {
            if (!float.IsFinite(covariate))
                throw new ArgumentException($"A covariate is {covariate}; covariates must be finite.", nameof(covariates));
        }
        History(series ?? "").Append(value, covariates);
    }

    /// <summary>The forecast of the next <see cref="Horizon"/> steps of a series from what it has observed (NaN with too little history), for a model without covariates.</summary>
    /// <param name="series">The series' id; null or "" for a model trained without a series column.</param>
    /// <exception cref="InvalidOperationException">The model reads covariates: their values over the horizon are needed (<see cref="Forecast(string?, float[,])"/>).</exception>
    public SeriesForecast Forecast(string? series = null)
    {
        ForecastSettings settings = transformer.Settings;
        if (settings.FutureCovariates)
        {
            throw new InvalidOperationException(
                $"The model reads the covariates ({string.Join(", ", settings.CovariateColumnNames)}) of the {settings.Horizon} forecast steps; " +
                $"call Forecast(series, futureCovariates) with a [{settings.Horizon}, {settings.CovariateCount}] array of them.");
        }
        return Forecast(series ?? "", ReadOnlySpan<float>.Empty);
    }

    /// <summary>
    /// The forecast of the next <see cref="Horizon"/> steps of a series from what it has observed and the covariates of
    /// those steps (NaN with too little history): what <see cref="LstmForecastingTransformer.Transform"/> writes on the
    /// row of the last observation when the next rows hold these covariates.
    /// </summary>
    /// <param name="series">The series' id; null or "" for a model trained without a series column.</param>
    /// <param name="futureCovariates">The covariates of the coming steps [<see cref="Horizon"/>, covariate count], in the order of the options' covariate columns.</param>
    /// <exception cref="ArgumentException">The array is not [horizon, covariate count], or holds a value that is not finite.</exception>
    public SeriesForecast Forecast(string? series, float[,] futureCovariates)
    {
        ArgumentNullException.ThrowIfNull(futureCovariates);
        ForecastSettings settings = transformer.Settings;
        int h = settings.Horizon, c = settings.CovariateCount;
        if (futureCovariates.GetLength(0) != h || futureCovariates.GetLength(1) != c)
        {
            throw new ArgumentException(
                $"The future covariates are [{futureCovariates.GetLength(0)}, {futureCovariates.GetLength(1)}]; the model reads [{h}, {c}]: " +
                $"the horizon's steps, each with {c} covariates ({string.Join(", ", settings.CovariateColumnNames)}).", nameof(futureCovariates));
        }
        var values = new float[h * c];
        for (int step = 0; step < h; step++)
        {
            for (int j = 0; j < c; j++)
            {
                float v = futureCovariates[step, j];
                if (!float.IsFinite(v))
                    throw new ArgumentException($"The future covariate '{settings.CovariateColumnNames[j]}' of step {step + 1} is {v}; covariates must be finite.", nameof(futureCovariates));
                values[step * c + j] = v;
            }
        }
        // A model of the first format reads covariates only inside the window: it forecasts as without them.
        return Forecast(series ?? "", settings.FutureCovariates ? values : ReadOnlySpan<float>.Empty);
    }

    private SeriesForecast Forecast(string name, ReadOnlySpan<float> futureCovariates)
    {
        int h = transformer.Horizon;
        var result = new SeriesForecast(new float[h], new float[h], new float[h]);
        SeriesHistory history = histories.TryGetValue(name, out SeriesHistory? known) ? known : transformer.NewHistory();
        forecaster.Forecast(history, name, futureCovariates, result.Forecast, result.LowerBound, result.UpperBound);
        return result;
    }

    /// <summary>Saves every series' history (with a checksum), to continue later with <see cref="LstmForecastingTransformer.CreateForecastingEngine(Stream)"/>.</summary>
    public void CheckPoint(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ForecastSettings settings = transformer.Settings;
        var file = new ModelFileWriter();
        ModelSectionWriter shape = file.Section(ShapeSection);
        shape.WriteInt32(settings.WindowSize);
        shape.WriteInt32(settings.CovariateCount);
        ModelSectionWriter state = file.Section(StateSection);
        state.WriteInt32(histories.Count);
        foreach (var (name, history) in histories)
        {
            state.WriteString(name);
            history.Write(state);
        }
        file.WriteTo(stream);
    }

    /// <summary>Saves the state to a file (see <see cref="CheckPoint(Stream)"/>).</summary>
    public void CheckPoint(string path)
    {
        using FileStream stream = File.Create(path);
        CheckPoint(stream);
    }

    internal static LstmForecastingEngine Load(LstmForecastingTransformer transformer, Stream stream)
    {
        ModelFile file = ModelFile.Read(stream, maxBytes: Array.MaxLength);
        ForecastSettings settings = transformer.Settings;
        ModelSectionReader shape = file.Open(ShapeSection);
        int window = shape.ReadInt32("window size", 1, EncoderSpec.MaxWidth);
        int covariates = shape.ReadInt32("covariates", 0, EncoderSpec.MaxWidth);
        shape.ExpectEnd();
        if (window != settings.WindowSize || covariates != settings.CovariateCount)
            throw new InvalidDataException($"The engine state keeps windows of {window} steps with {covariates} covariates; this model reads {settings.WindowSize} with {settings.CovariateCount}.");
        var engine = new LstmForecastingEngine(transformer);
        ModelSectionReader state = file.Open(StateSection);
        int count = state.ReadCount("series", ForecastSettings.MaxSeriesCount, sizeof(int) + sizeof(long) + window * sizeof(float));
        for (int i = 0; i < count; i++)
        {
            string name = state.ReadString("series name", 1 << 16);
            SeriesHistory history = transformer.NewHistory();
            history.Read(state);
            if (!engine.histories.TryAdd(name, history))
                throw new InvalidDataException($"The engine state names the series '{name}' twice.");
        }
        state.ExpectEnd();
        return engine;
    }

    private SeriesHistory History(string name)
    {
        if (!histories.TryGetValue(name, out SeriesHistory? history))
        {
            history = transformer.NewHistory();
            histories.Add(name, history);
        }
        return history;
    }
}
