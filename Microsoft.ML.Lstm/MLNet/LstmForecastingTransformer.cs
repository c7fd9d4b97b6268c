using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// A trained forecaster (<see cref="LstmForecastingEstimator"/>). <see cref="Transform"/> adds to every row the
/// forecast of the next <see cref="Horizon"/> steps of its series from the history up to and including that row (so
/// the last row of each series holds the forecast beyond the data), and the interval's bounds when their columns were
/// named. Rows with fewer steps of history than their series' window (<see cref="WindowSizes"/>), or none observed in it, get NaN.
/// With covariate columns, each forecast also reads the covariates of the <see cref="Horizon"/> rows after its row in
/// its series (their future values are known): to forecast past the end of the data, append the coming rows with a
/// NaN value and their covariates (they are read as missing observations and get forecasts too); a row with fewer
/// than <see cref="Horizon"/> rows after it in its series gets NaN.
/// </summary>
/// <remarks>
/// The output depends on earlier rows (and, with covariates, on the next rows' covariates, which a second cursor
/// reads ahead, keeping those of the rows between: with series stored one after another, up to the rest of the data's
/// covariates), so the data is read in order by one cursor (it cannot be shuffled or split
/// across threads), and this is not a row-to-row mapper: for one-at-a-time use, <see cref="CreateForecastingEngine()"/>
/// keeps each series' history as observations arrive.
/// </remarks>
public sealed partial class LstmForecastingTransformer : ITransformer
{
    private readonly IHost host;

    internal LstmForecastingTransformer(IHostEnvironment env, SequenceModel model, ForecastSettings settings)
    {
        Contracts.CheckValue(env, nameof(env));
        host = env.Register(nameof(LstmForecastingTransformer));
        settings.CheckFits(model.Spec);
        Model = model;
        Settings = settings;
    }

    internal SequenceModel Model { get; }

    internal ForecastSettings Settings { get; }

    /// <summary>How the network's recurrent weights are stored and run (<see cref="WeightPrecisionExtensions"/>); <see cref="WeightPrecision.Float32"/> as trained.</summary>
    public WeightPrecision WeightPrecision => WeightPrecisionExtensions.PrecisionOf(Model.WeightFormat);

    /// <summary>
    /// Threads each forecast is scored on, in <see cref="Transform"/> and the forecasting engine
    /// (<see cref="ScoringThreadsExtensions"/>); 1, the default, as trained and as loaded. Not saved with the model.
    /// </summary>
    public int ScoringThreads => Model.ScoringThreads;

    /// <summary>A forecaster with these settings around <paramref name="model"/> (the same network, its weights stored another way or scored on other threads).</summary>
    internal LstmForecastingTransformer WithModel(SequenceModel model) => new(host, model, Settings);

    /// <summary>Steps forecast from each row.</summary>
    public int Horizon => Settings.Horizon;

    /// <summary>The longest window: past steps the forecasts of a series read at most.</summary>
    public int WindowSize => Settings.WindowSize;

    /// <summary>Past steps each forecast of a series reads, for each series seen in training (the key is "" without a series column).</summary>
    public IReadOnlyDictionary<string, int> WindowSizes => Settings.Windows;

    /// <summary>The probability the interval should hold each coming value.</summary>
    public float ConfidenceLevel => Settings.ConfidenceLevel;

    /// <summary>The season found (or given) for each series seen in training; the key is "" without a series column.</summary>
    public IReadOnlyDictionary<string, int> Seasons => Settings.Seasons;

    /// <summary>False: each row's output depends on the rows before it.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>Not available: each row's output depends on the rows before it (see <see cref="CreateForecastingEngine()"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("A forecaster's output depends on the rows before it, so it has no row-to-row mapper; use CreateForecastingEngine for one observation at a time.");

    /// <summary>The input schema with the forecast column and the bound columns (vectors of <see cref="Horizon"/> floats).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the forecaster reads is missing or of the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ForecastColumns.Find(inputSchema, Settings.ValueColumnName, Settings.SeriesColumnName, Settings.CovariateColumnNames);
        return ForecastDataView.OutputSchema(inputSchema, Settings);
    }

    /// <summary>Adds the forecast columns to <paramref name="input"/> (lazily: computed as a cursor reads the rows in order).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the forecaster reads is missing or of the wrong type.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ForecastColumns columns = ForecastColumns.Find(input.Schema, Settings.ValueColumnName, Settings.SeriesColumnName, Settings.CovariateColumnNames);
        return new ForecastDataView(input, columns, this);
    }

    /// <summary>An engine that forecasts from observations fed one at a time, starting with no history.</summary>
    public LstmForecastingEngine CreateForecastingEngine() => new(this);

    /// <summary>An engine that continues from the state an earlier engine saved with <see cref="LstmForecastingEngine.CheckPoint(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The state is damaged, or was saved by an engine of another model shape.</exception>
    public LstmForecastingEngine CreateForecastingEngine(Stream state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return LstmForecastingEngine.Load(this, state);
    }

    /// <summary>The history buffers a forecast needs for one series.</summary>
    internal SeriesHistory NewHistory() => new(Settings.WindowSize, Settings.CovariateCount);

    /// <summary>What writes one series' forecasts (its own buffers; the network is shared).</summary>
    internal WindowForecaster NewForecaster() => new(Model, Settings);

    /// <summary>The model file: the network and the forecasting section.</summary>
    internal void WriteModelFile(Stream stream)
    {
        var file = new ModelFileWriter();
        Model.Save(file);
        Settings.Write(file.Section(ForecastSettings.Section));
        file.WriteTo(stream);
    }

    /// <summary>Reads what <see cref="WriteModelFile"/> wrote.</summary>
    internal static LstmForecastingTransformer ReadModelFile(IHostEnvironment env, Stream stream)
    {
        ModelFile file = ModelFile.Read(stream, maxBytes: Array.MaxLength);
        ForecastSettings settings = ForecastSettings.Read(file.Open(ForecastSettings.Section));
        SequenceModel model = SequenceModel.Load(file);
        return new LstmForecastingTransformer(env, model, settings.WithNetwork(model.Spec));
    }
}
