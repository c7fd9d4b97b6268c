using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Forecasts the next <see cref="Options.Horizon"/> values of one or many time series with a recurrent network
/// (<c>mlContext.Forecasting.ForecastByLstm</c>). Rows are time steps in time order; with a series column, each
/// series is the rows of its id, in order, and one network is learned across all of them.
/// </summary>
/// <remarks>
/// <para>The model: windows of the last W steps of each series, each scaled by its own level and spread (undone on
/// output, so series of any magnitude and level shifts are handled), with a missing-value indicator and the
/// standardized covariates (and, as lead channels, the covariates H steps later: the last H steps carry the forecast
/// steps' known covariates, which the head also reads) as extra channels; an LSTM or GRU encoder; and a direct
/// multi-horizon head that adds to the seasonal naive forecast, in one pass, every horizon's median and the interval's two quantiles, trained with the
/// pinball loss. The interval is calibrated on each series' latest windows, held out of training.</para>
/// <para>Missing values (NaN) are accepted: imputed with the last observed value for the input, flagged in their own
/// channel, and left out of the loss. Training refuses, naming it, a series shorter than the window plus the horizon.</para>
/// </remarks>
public sealed class LstmForecastingEstimator : IEstimator<LstmForecastingTransformer>
{
    private readonly IHostEnvironment env;
    private readonly IHost host;
    private readonly Options options;

    /// <summary>Every setting of <see cref="LstmForecastingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The column the forecasts are written to: a vector of <see cref="Horizon"/> floats. Default <c>Forecast</c>.</summary>
        public string OutputColumnName = "Forecast";

        /// <summary>The observed values: <see cref="float"/> or <see cref="double"/>, one per row (NaN for a missing one). Default <c>Value</c>.</summary>
        public string InputColumnName = "Value";

        /// <summary>Steps forecast from each row. Default 12.</summary>
        public int Horizon = 12;

        /// <summary>Past steps the network reads (W); 0 (the default) chooses for each series from its data: two of its seasons, at least the horizon and 8 steps, at most half of what the series has after the horizon.</summary>
        public int WindowSize;

        /// <summary>The series id: text or a key; null (the default) reads all rows as one series.</summary>
        public string? SeriesColumnName;

        /// <summary>
        /// Covariate columns (<see cref="float"/> or <see cref="double"/>, finite) whose future values are known (calendar
        /// features, planned promotions, prices set ahead, …): read beside the value at each step of the window, and over the
        /// horizon, so each forecast also reads the covariates of the H rows after its row in its series. To forecast past
        /// the end of the data, append the coming rows with a NaN value and their known covariates; a row with fewer than
        /// H rows after it in its series gets NaN forecasts. The window is then at least the horizon. Default none.
        /// </summary>
        public string[] CovariateColumnNames = [];

        /// <summary>Probability the interval [lower, upper] should hold the coming value, in (0, 1). Default 0.8.</summary>
        public float ConfidenceLevel = 0.8f;

        /// <summary>The column of the interval's lower bounds (a vector of <see cref="Horizon"/> floats), or null (the default) for none.</summary>
        public string? LowerBoundColumnName;

        /// <summary>The column of the interval's upper bounds, or null (the default) for none.</summary>
        public string? UpperBoundColumnName;

        /// <summary>Steps per season (12 for monthly data with a yearly cycle); 0 (the default) detects each series' own from its autocorrelation; 1 for none.</summary>
        public int Seasonality;

        /// <summary>What the network's outputs add to. Default <see cref="ForecastBaseline.SeasonalNaive"/>.</summary>
        public ForecastBaseline Baseline = ForecastBaseline.SeasonalNaive;

        /// <summary>
        /// Whether the head also maps the window's scaled values linearly to the outputs (an autoregressive skip around the
        /// recurrent layers); used only when every series has the same season, since its weights belong to positions in the
        /// window. Default true.
        /// </summary>
        public bool InputSkip = true;

        /// <summary>The recurrent cell. Default <see cref="RecurrentCellType.Lstm"/>.</summary>
        public RecurrentCellType CellType = RecurrentCellType.Lstm;

        /// <summary>Hidden units per layer. Default 32.</summary>
        public int HiddenSize = 32;

        /// <summary>Stacked recurrent layers. Default 1.</summary>
        public int LayerCount = 1;

        /// <summary>Dropout between layers and before the head. Default 0.1.</summary>
        public double Dropout = 0.1;

        /// <summary>Most passes over the training windows. Default 100.</summary>
        public int Epochs = 100;

        /// <summary>Windows per minibatch. Default 32.</summary>
        public int BatchSize = 32;

        /// <summary>Adam's learning rate. Default 3e-3.</summary>
        public double LearningRate = 3e-3;

        /// <summary>Epochs without a lower validation loss before training stops (the best epoch's weights are kept). Default 10.</summary>
        public int EarlyStoppingPatience = 10;

        /// <summary>Fraction of each series' latest complete windows held out to stop early and calibrate the interval; 0 for none. Default 0.1.</summary>
        public double ValidationFraction = 0.1;

        /// <summary>Whether, after the held-out run has chosen the epoch count and calibrated the interval, the network is trained again on every window (the latest data included) for that many epochs. Default true.</summary>
        public bool RefitOnAllData = true;

        /// <summary>Whether the interval is widened or narrowed so that it holds <see cref="ConfidenceLevel"/> of the held-out values. Default true.</summary>
        public bool CalibrateIntervals = true;

        /// <summary>Seeds weight initialisation, shuffling and dropout; null takes the <c>MLContext</c>'s seed. Default null.</summary>
        public int? Seed;

        /// <summary>Threads training may use; null (the default) for every core. The same seed and thread count give the same model.</summary>
        public int? NumberOfThreads;

        /// <summary>Stops training between minibatches. Default none.</summary>
        public CancellationToken CancellationToken;

        /// <summary>Receives a report after each epoch (also sent to <c>MLContext.Log</c>). Default none.</summary>
        public IProgress<LstmTrainingProgress>? Progress;

        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.CovariateColumnNames = (string[])(CovariateColumnNames ?? []).Clone();
            return copy;
        }
    }

    internal LstmForecastingEstimator(IHostEnvironment env, Options options)
    {
        Contracts.CheckValue(env, nameof(env));
        this.env = env;
        host = env.Register(nameof(LstmForecastingEstimator));
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Clone();
        Validate(this.options);
    }

    private static void Validate(Options o)
    {
        static void Require(bool ok, string name, object? value, string expected)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be {expected}.");
        }
        Require(!string.IsNullOrEmpty(o.OutputColumnName), nameof(o.OutputColumnName), o.OutputColumnName, "a column name");
        Require(!string.IsNullOrEmpty(o.InputColumnName), nameof(o.InputColumnName), o.InputColumnName, "a column name");
        Require(o.Horizon is > 0 and <= ForecastHeadSpec.MaxHorizon, nameof(o.Horizon), o.Horizon, $"in [1, {ForecastHeadSpec.MaxHorizon}]");
        Require(o.WindowSize == 0 || o.WindowSize is >= 2 and <= 4096, nameof(o.WindowSize), o.WindowSize, "0 (chosen from the data) or in [2, 4096]");
        Require(o.ConfidenceLevel is > 0 and < 1, nameof(o.ConfidenceLevel), o.ConfidenceLevel, "in (0, 1)");
        Require(o.Seasonality is >= 0 and <= 4096, nameof(o.Seasonality), o.Seasonality, "0 (detected), 1 (none) or a season length up to 4096");
        Require(o.WindowSize == 0 || o.Seasonality <= o.WindowSize, nameof(o.Seasonality), o.Seasonality, $"at most the window size ({o.WindowSize})");
        Require(Enum.IsDefined(o.Baseline), nameof(o.Baseline), o.Baseline, "a known baseline");
        Require(o.HiddenSize is > 0 and <= EncoderSpec.MaxWidth, nameof(o.HiddenSize), o.HiddenSize, $"in [1, {EncoderSpec.MaxWidth}]");
        Require(o.LayerCount is > 0 and <= EncoderSpec.MaxLayerCount, nameof(o.LayerCount), o.LayerCount, $"in [1, {EncoderSpec.MaxLayerCount}]");
        Require(o.Dropout is >= 0 and < 1, nameof(o.Dropout), o.Dropout, "in [0, 1)");
        Require(o.Epochs > 0, nameof(o.Epochs), o.Epochs, "positive");
        Require(o.BatchSize > 0, nameof(o.BatchSize), o.BatchSize, "positive");
        Require(double.IsFinite(o.LearningRate) && o.LearningRate > 0, nameof(o.LearningRate), o.LearningRate, "positive");
        Require(o.EarlyStoppingPatience >= 0, nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "0 (off) or positive");
        Require(o.ValidationFraction is >= 0 and < 1, nameof(o.ValidationFraction), o.ValidationFraction, "in [0, 1)");
        Require(o.NumberOfThreads is null or > 0, nameof(o.NumberOfThreads), o.NumberOfThreads, "null (every core) or positive");
        string[] names = [o.OutputColumnName, .. new[] { o.LowerBoundColumnName, o.UpperBoundColumnName }.OfType<string>()];
        Require(names.Distinct().Count() == names.Length, nameof(o.LowerBoundColumnName), string.Join(", ", names), "distinct from the other output columns");
        Require(o.CovariateColumnNames.All(n => !string.IsNullOrEmpty(n)), nameof(o.CovariateColumnNames), null, "column names");
        Require(o.CovariateColumnNames.Length == 0 || o.WindowSize == 0 || o.WindowSize >= o.Horizon, nameof(o.WindowSize), o.WindowSize,
            $"0 (chosen from the data) or at least the horizon ({o.Horizon}) with covariate columns: the last H steps of a window carry the forecast steps' covariates");
    }

    /// <summary>Reads the series, chooses the window, trains the network and calibrates its interval.</summary>
    /// <param name="input">Rows in time order (within each series), one per step.</param>
    /// <returns>The transformer that writes the forecasts.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> has no rows.</exception>
    /// <exception cref="InvalidOperationException">A value or covariate is infinite, or a series is too short; the message names the column, row or series.</exception>
    public LstmForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ForecastColumns columns = ForecastColumns.Find(input.Schema, options.InputColumnName, options.SeriesColumnName, options.CovariateColumnNames);
        List<ForecastSeries> series = ReadSeries(input, columns);
        using IChannel channel = host.Start("Training");

        var seasons = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ForecastSeries one in series)
            seasons[one.Name] = options.Seasonality > 0 ? options.Seasonality : SeasonDetector.Detect(one.Values);
        Dictionary<string, int> windows = ChooseWindows(series, seasons);
        foreach (ForecastSeries one in series)
        {
            // A season longer than the window cannot be read from it: fall back to no season for that series.
            if (seasons[one.Name] > windows[one.Name])
                seasons[one.Name] = 1;
        }
        channel.Info($"Seasons and windows{(options.WindowSize == 0 ? " (two seasons, at least the horizon and 8 steps, at most half of what the series has after the horizon)" : "")}: " +
            $"{string.Join(", ", seasons.Select(pair => $"{(pair.Key.Length == 0 ? "series" : pair.Key)} {pair.Value} / {windows[pair.Key]}"))}.");
        int defaultSeason = seasons.Values.GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

        (float[] means, float[] scales) = CovariateScaling(series, options.CovariateColumnNames.Length);
        var settings = new ForecastSettings
        {
            ValueColumnName = options.InputColumnName,
            SeriesColumnName = options.SeriesColumnName,
            CovariateColumnNames = options.CovariateColumnNames,
            OutputColumnName = options.OutputColumnName,
            LowerBoundColumnName = options.LowerBoundColumnName,
            UpperBoundColumnName = options.UpperBoundColumnName,
            Horizon = options.Horizon,
            WindowSize = windows.Values.Max(),
            DefaultWindow = series.Where(one => seasons[one.Name] == defaultSeason).Max(one => windows[one.Name]),
            Windows = windows,
            ConfidenceLevel = options.ConfidenceLevel,
            Baseline = options.Baseline,
            DefaultSeason = defaultSeason,
            CovariateMeans = means,
            CovariateScales = scales,
            Seasons = seasons,
            FutureCovariates = options.CovariateColumnNames.Length > 0,
        };

        // The skip's weights belong to positions in the window, which mean the same thing across series only when
        // they share a season (measured on the R series: one model across monthly and quarterly series did worse with it).
        bool inputSkip = options.InputSkip && seasons.Values.Distinct().Count() == 1;
        if (options.InputSkip && !inputSkip)
            channel.Info("Input skip off: the series have different seasons.");
        var spec = new NetworkSpec(
            new EncoderSpec
            {
                Input = SequenceInputKind.Features,
                FeaturesPerStep = settings.FeaturesPerStep,
                Cell = LstmOptionsMapping.ToEngine(options.CellType),
                HiddenSize = options.HiddenSize,
                LayerCount = options.LayerCount,
                Dropout = options.Dropout,
            },
            new ForecastHeadSpec
            {
                Horizon = options.Horizon,
                Quantiles = settings.QuantileLevels,
                InputSkipSteps = inputSkip ? windows.Values.Min() : 0,
                FutureCovariates = settings.FutureCovariateCount,
                FutureCovariateOffset = settings.FutureCovariates ? SeriesWindow.ValueFeatures + settings.CovariateCount : 0,
                Dropout = options.Dropout,
            });
        int seed = options.Seed ?? MLNetEnvironment.SeedOf(env, host);
        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            EarlyStoppingPatience = options.EarlyStoppingPatience,
            Seed = seed,
            Threads = options.NumberOfThreads ?? Math.Max(1, Environment.ProcessorCount),
            Progress = new TrainingProgressRelay(channel, options.Progress),
            CancellationToken = options.CancellationToken,
        };

        (List<ForecastWindows.Window> trainWindows, List<ForecastWindows.Window> validationWindows) =
            ForecastWindows.Split(series, settings, settings.SeasonOf, options.ValidationFraction);
        if (trainWindows.Count == 0)
            throw new InvalidOperationException("The data holds no window followed by an observed value; nothing to train on.");
        channel.Info($"Training on {trainWindows.Count} windows, validating on {validationWindows.Count}, horizon {options.Horizon}.");
        (SequenceModel model, TrainingResult result) = SequenceModel.Train(
            spec, training, Examples(trainWindows), validationWindows.Count > 0 ? Examples(validationWindows) : null);
        channel.Info($"Trained {result.EpochsRun} epochs{(result.StoppedEarly ? " (stopped early)" : "")}; best epoch {result.BestEpoch}.");

        if (options.CalibrateIntervals && validationWindows.Count > 0)
        {
            float scale = IntervalCalibration.Scale(model, validationWindows, settings.Horizon, settings.ConfidenceLevel);
            settings = settings with { IntervalScale = scale };
            channel.Info($"Interval calibrated on {validationWindows.Count} held-out windows: quantile distances scaled by {scale:G4}.");
        }
        if (options.RefitOnAllData && validationWindows.Count > 0)
        {
            List<ForecastWindows.Window> all = ForecastWindows.All(series, settings, settings.SeasonOf);
            channel.Info($"Training again on all {all.Count} windows for {result.BestEpoch} epochs.");
            (model, _) = SequenceModel.Train(spec, training with { Epochs = result.BestEpoch, EarlyStoppingPatience = 0 }, Examples(all));
        }
        return new LstmForecastingTransformer(host, model, settings);
    }

    private static List<SequenceExample> Examples(List<ForecastWindows.Window> windows) => windows.ConvertAll(w => w.Example);

    /// <summary>
    /// Each series' window: the option's, or two of its seasons (at least the horizon and 8 steps), at most half of what
    /// the series has after the horizon, and never less than the baseline reaches back. Refuses a series too short for it.
    /// </summary>
    private Dictionary<string, int> ChooseWindows(List<ForecastSeries> series, Dictionary<string, int> seasons)
    {
        var windows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ForecastSeries one in series)
        {
            int season = seasons[one.Name];
            int window = options.WindowSize;
            if (window == 0)
            {
                window = Math.Max(Math.Max(2 * season, options.Horizon), 8);
                window = Math.Min(window, (one.Length - options.Horizon) / 2);
                window = Math.Max(window, Math.Max(2, SeriesWindow.BaselineReach(season, options.Baseline)));
                if (options.CovariateColumnNames.Length > 0)
                    window = Math.Max(window, options.Horizon); // the last H steps carry the horizon's covariates
            }
            if (one.Length < window + options.Horizon)
            {
                throw new InvalidOperationException(
                    $"{one.Describe()} (from row {one.FirstRow}) has {one.Length} steps; forecasting {options.Horizon} steps from windows of {window} needs at least {window + options.Horizon}. " +
                    "Give it more history, or lower the horizon or WindowSize.");
            }
            windows[one.Name] = window;
        }
        return windows;
    }

    /// <summary>Reads every row into its series, checking values and covariates.</summary>
    private List<ForecastSeries> ReadSeries(IDataView input, ForecastColumns columns)
    {
        var values = new Dictionary<string, (List<float> Values, List<float> Covariates, long FirstRow)>(StringComparer.Ordinal);
        var order = new List<string>();
        int c = columns.Covariates.Length;
        Span<float> covariates = stackalloc float[c];
        using (DataViewRowCursor cursor = input.GetRowCursor(columns.All))
        {
            ForecastColumns.RowReader reader = columns.CreateReader(cursor);
            long row = 0;
            while (cursor.MoveNext())
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                float value = reader.Value();
                if (float.IsInfinity(value))
                    throw new InvalidOperationException($"The value column '{columns.Value.Name}' holds {value} at row {row}; expected a finite number, or NaN for a missing value.");
                reader.Covariates(covariates);
                for (int j = 0; j < c; j++)
                {
                    if (!float.IsFinite(covariates[j]))
                        throw new InvalidOperationException($"The covariate column '{columns.Covariates[j].Name}' holds {covariates[j]} at row {row}; covariates must be finite.");
                }
                string name = reader.Series();
                if (!values.TryGetValue(name, out var series))
                {
                    series = ([], [], row);
                    values.Add(name, series);
                    order.Add(name);
                }
                series.Values.Add(value);
                foreach (float covariate in covariates)
                    series.Covariates.Add(covariate);
                row++;
            }
            if (row == 0)
                throw new ArgumentException("The training data has no rows; expected the steps of at least one series.", nameof(input));
        }
        var result = order.ConvertAll(name => new ForecastSeries(name, [.. values[name].Values], [.. values[name].Covariates], values[name].FirstRow));
        foreach (ForecastSeries one in result)
        {
            if (one.Values.All(float.IsNaN))
                throw new InvalidOperationException($"{one.Describe()} (from row {one.FirstRow}) has no observed value in the column '{columns.Value.Name}': every value is NaN.");
        }
        return result;
    }

    private static (float[] Means, float[] Scales) CovariateScaling(List<ForecastSeries> series, int count)
    {
        var means = new float[count];
        var scales = new float[count];
        for (int j = 0; j < count; j++)
        {
            double sum = 0, squares = 0;
            long n = 0;
            foreach (ForecastSeries one in series)
            {
                for (int t = 0; t < one.Length; t++)
                {
                    double v = one.Covariates[t * count + j];
                    sum += v;
                    squares += v * v;
                    n++;
                }
            }
            double mean = sum / n;
            double std = Math.Sqrt(Math.Max(0, squares / n - mean * mean));
            means[j] = (float)mean;
            scales[j] = std > 1e-12 ? (float)std : 1f;
        }
        return (means, scales);
    }

    /// <summary>The input schema with the forecast column and the bound columns asked for (vectors of <see cref="Options.Horizon"/> floats).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column the estimator reads is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        void Check(string? name, string role, bool numeric)
        {
            if (name is null)
                return;
            if (!SchemaShapeColumns.TryFind(inputSchema, name, out SchemaShape.Column column))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The {role} column '{name}' is not in the data.");
            bool ok = numeric
                ? column.Kind == SchemaShape.Column.VectorKind.Scalar && (column.ItemType == NumberDataViewType.Single || column.ItemType == NumberDataViewType.Double)
                : column.Kind == SchemaShape.Column.VectorKind.Scalar && (column.ItemType is TextDataViewType || (column.IsKey && column.ItemType.RawType == typeof(uint)));
            if (!ok)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The {role} column '{name}' holds {SchemaShapeColumns.Describe(column)}; expected {(numeric ? "Single or Double" : "String or Key<UInt32>")}.");
        }
        Check(options.InputColumnName, "value", numeric: true);
        Check(options.SeriesColumnName, "series", numeric: false);
        foreach (string covariate in options.CovariateColumnNames)
            Check(covariate, "covariate", numeric: true);
        return ForecastColumnShapes.Add(inputSchema, [options.OutputColumnName, .. new[] { options.LowerBoundColumnName, options.UpperBoundColumnName }.OfType<string>()]);
    }
}
