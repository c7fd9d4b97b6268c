using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The <c>mlnet-path</c> mode (issue #15, item 5): how much of a job's time is spent outside the engine — reading the
/// IDataView's columns, splitting text into words, building batches, writing the prediction columns — on the sentiment
/// network over <c>{data}/train.tsv</c> and <c>{data}/test.tsv</c>, for training (<c>Fit</c>), for scoring with
/// <c>Transform</c> and a cursor, and for <c>PredictionEngine</c> one row at a time.
/// </summary>
/// <remarks>
/// <para>No clock runs inside the library. The engine's share is measured by running the engine alone on the same
/// prepared inputs, interleaved with the full pipeline in each round:</para>
/// <list type="bullet">
/// <item>Training: the full figure is <c>Fit</c> as a user calls it. A second run over the same examples through
/// <c>NetworkTrainer</c> records every batch it hands the network (<c>BatchObserver</c>), checked to train the same
/// weights bit for bit as <c>Fit</c>; the engine figure replays those batches alone (<c>TrainOnBatch</c> for a
/// training batch, the loss for a validation batch) in a fresh network of the same spec and seed. The
/// <c>NetworkTrainer</c> run itself, timed too, splits what is outside into batch building (its time less the
/// engine's) and the rest (reading the data view, the vocabulary pass, making the transformer).</item>
/// <item>Scoring: the engine figure is <c>SequenceNetwork.Predict</c> on a batch of one sequence per test row, each
/// batch built beforehand, for <c>PredictionEngine</c>; for <c>Transform</c>, which scores rows ahead of its cursor in
/// batches, the same on the batches it forms (consecutive rows, checked to score the same bits); the full figures read <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> of every
/// row through a cursor over <c>Transform</c>'s output, and call <c>PredictionEngine.Predict</c> on every row.</item>
/// </list>
/// <para>On a busy machine the difference of two large times is noisy, so every figure is measured a second time on the
/// same pipeline over a network of one unit (embedding 1, hidden 1): what lies outside the engine (rows, words, batches,
/// columns) is the same work, and the engine's part nearly nothing, so the difference of two small times gives it
/// steadily; its share is then taken of it plus the real network's engine time.</para>
/// <para>Training is timed by the thread's CPU time on one thread and by wall time on more (the engine's workers spin
/// between sections); scoring by the process's CPU time, all threads (a Transform cursor scores its batches on several).</para>
/// <para>Forms: <c>text</c>, the README's first snippet (the trainer reads the text column); <c>keys</c>, the keys
/// pipeline (TokenizeIntoWords → MapValueToKey → the trainer), whose own transforms run inside the full figures.
/// Options: <c>--data DIR</c>, <c>--form text|keys|both</c>, <c>--threads N</c> (training's; a scoring network runs one
/// row at a time on one thread, and a Transform cursor scores its batches on every core), <c>--epochs N</c>, <c>--rounds N</c>,
/// <c>--seconds S</c> (of scoring passes per round), <c>--profile fit|transform|predict|engine|batched</c> (that phase alone in a
/// loop for <c>--seconds</c>, for a profiler).
/// Without the data set it prints one line saying it skipped.</para>
/// </remarks>
internal static class MLNetPathRunner
{
    private sealed class ScoredReview
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class NoProgress : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
        }
    }

    public static void Run(string[] args)
    {
        if (!SentimentReviews.TryRead(args, out List<Review> train, out List<Review> test))
            return;
        string form = ShapesRunner.StringOption(args, "--form", "both");
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 3);
        int rounds = ShapesRunner.IntOption(args, "--rounds", 3);
        double seconds = ShapesRunner.DoubleOption(args, "--seconds", 1);
        string profile = ShapesRunner.StringOption(args, "--profile", "");
        ProfiledPhase = profile.Length == 0 ? null : profile;

        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, sentiment network (trainer defaults: BiLSTM 64, embedding 64, max pooling), " +
            $"{train.Count} training rows, {epochs} epochs, {threads} training thread(s); {test.Count} test rows scored one at a time; " +
            $"medians of {rounds} rounds, each: full pipeline and engine alone, interleaved");
        Console.WriteLine("| form | phase | total | engine alone | outside the engine | share outside | allocated per row |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (string name in form == "both" ? ["text", "keys"] : new[] { form })
            Measure(name, train, test, threads, epochs, rounds, seconds);
    }

    /// <summary>What one configuration measured: medians over the rounds (seconds; per row for scoring).</summary>
    private sealed record Figures(
        double Fit, double Trainer, double Engine, double Reading, double? MLNetTransforms, string FitShares,
        double Transform, double Prediction, double ScoringEngine, double BatchedEngine, double? MLNetScoring, long TransformBytes, long PredictionBytes, int Passes,
        double TransformWall, double EngineWall, double BatchedWall);

    private static void Measure(string form, List<Review> trainRows, List<Review> testRows, int threads, int epochs, int rounds, double seconds)
    {
        Figures? real = MeasureNetwork(form, trainRows, testRows, threads, epochs, rounds, seconds, size: 64);
        if (real is null)
            return; // profiled
        Row(form, $"training (Fit; share outside in each round: {real.FitShares})", real.Fit, real.Engine, "s", null);
        Part("batches: shuffling, packing, targets, validation batches (NetworkTrainer less the engine)", real.Trainer - real.Engine, real.Fit);
        Part("reading the data view before training: " + (real.MLNetTransforms is null
            ? "the vocabulary pass and the examples pass (timed alone)"
            : "MapValueToKey's Fit and the examples pass through TokenizeIntoWords and MapValueToKey (timed alone)"), real.Reading, real.Fit);
        if (real.MLNetTransforms is double transforms)
            Part("… of which ML.NET's transforms: their Fit and a pass reading their Tokens column (timed alone)", transforms, real.Fit);
        Part("the rest of Fit (schema checks, logging, the transformer; Fit less the parts above)", real.Fit - real.Trainer - real.Reading, real.Fit);
        Row(form, $"scoring (Transform, cursor; {real.Passes} passes; the engine on Transform's batches)", real.Transform, real.BatchedEngine, "µs per row", real.TransformBytes);
        Row(form, $"scoring (PredictionEngine; {real.Passes} passes)", real.Prediction, real.ScoringEngine, "µs per row", real.PredictionBytes);
        Console.WriteLine($"|  | … wall time per row: Transform {real.TransformWall * 1e6:F1} µs (its batches on {Environment.ProcessorCount} core(s)); the engine on one thread " +
            $"{real.EngineWall * 1e6:F1} µs one row at a time, {real.BatchedWall * 1e6:F1} µs on Transform's batches | | | | | |");
        if (real.MLNetScoring is double mlnet)
            Console.WriteLine($"|  | … of which ML.NET's TokenizeIntoWords and MapValueToKey (a cursor reading their Tokens column) | | | {mlnet * 1e6:F1} µs | | |");

        // The same pipeline over a network of one unit (embedding 1, hidden 1): the work outside the engine is the same
        // (the same rows, words, batches and columns), while the engine's is nearly nothing, so the difference of two
        // small figures gives it far more steadily than the difference of two large ones on a busy machine. Its share is
        // then taken of that work plus the real network's engine time.
        Figures tiny = MeasureNetwork(form, trainRows, testRows, threads, epochs, rounds, seconds, size: 1)!;
        Estimate(form, "training (Fit)", tiny.Fit - tiny.Engine, real.Engine, "s");
        Part("batches (NetworkTrainer less the engine, one unit)", tiny.Trainer - tiny.Engine, tiny.Fit - tiny.Engine + real.Engine);
        Part("reading the data view before training (timed alone, one unit)", tiny.Reading, tiny.Fit - tiny.Engine + real.Engine);
        Part("the rest of Fit (one unit)", tiny.Fit - tiny.Trainer - tiny.Reading, tiny.Fit - tiny.Engine + real.Engine);
        Estimate(form, "scoring (Transform, cursor; the engine on Transform's batches)", tiny.Transform - tiny.BatchedEngine, real.BatchedEngine, "µs per row");
        Estimate(form, "scoring (PredictionEngine)", tiny.Prediction - tiny.ScoringEngine, real.ScoringEngine, "µs per row");
    }

    private static void Estimate(string form, string phase, double outside, double engine, string unit)
    {
        string Format(double value) => unit == "s" ? $"{value:F3} s" : $"{value * 1e6:F1} µs";
        Console.WriteLine($"| {form} | {phase}, outside measured on a network of one unit | {Format(outside + engine)} | {Format(engine)} | {Format(outside)} | {outside / (outside + engine):P1} | |");
    }

    /// <summary>The figures of one network size (embedding and hidden units); null when a phase was only profiled.</summary>
    private static Figures? MeasureNetwork(string form, List<Review> trainRows, List<Review> testRows, int threads, int epochs, int rounds, double seconds, int size)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);
        bool text = form == "text";
        var options = new LstmBinaryTrainer.Options
        {
            FeatureColumnName = text ? "Text" : "Tokens", Epochs = epochs, NumberOfThreads = threads, Seed = 1,
            HiddenSize = size, EmbeddingSize = size,
        };
        IEstimator<ITransformer> keys = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"));
        IEstimator<ITransformer> pipeline = text
            ? ml.BinaryClassification.Trainers.Lstm(options)
            : keys.Append(ml.BinaryClassification.Trainers.Lstm(options));

        // Training: Fit, the same examples through NetworkTrainer (recording its batches), and the batches replayed.
        ITransformer model = pipeline.Fit(train);
        SequenceBinaryClassificationTransformer lstm = Last(model);
        IDataView trainFeatures = text ? train : PrefixOf(model).Transform(train);
        List<SequenceExample> examples = ReadExamples(trainFeatures, options.FeatureColumnName, lstm.Features);
        NetworkSpec spec = lstm.Model.Spec;
        TrainingOptions training = LstmOptionsMapping.ToTrainingOptions(options, options.Seed!.Value, new NoProgress());
        var recorded = new List<(SequenceBatch<float> Batch, float[] Targets, bool Training)>();
        SequenceNetwork<float> recordedNetwork = TrainRecording(spec, training, examples, recorded);
        if (!recordedNetwork.Parameters.Values.AsSpan().SequenceEqual(lstm.Model.Network.Parameters.Values))
            throw new InvalidOperationException("The recorded run trained other weights than Fit: its examples or options differ from Fit's.");

        // Each round: Fit; NetworkTrainer on the examples; the engine alone; the passes over the data view that Fit
        // makes before training (for the keys pipeline, ML.NET's own transforms alone too).
        var fit = new List<double>();
        var trainer = new List<double>();
        var replay = new List<double>();
        var reading = new List<double>();
        var mlnetTransforms = new List<double>();
        // Round 0 is not kept: it lets the runtime compile the hot methods of every part (tiered compilation runs on
        // a thread of its own a while after a method turns hot), so that none is compiled while another is timed.
        for (int round = 0; round <= (ProfiledPhase is null ? rounds : -1); round++)
        {
            if (round == 1)
            {
                fit.Clear();
                trainer.Clear();
                replay.Clear();
                reading.Clear();
                mlnetTransforms.Clear();
                Thread.Sleep(500);
            }
            fit.Add(Seconds(() => pipeline.Fit(train), threads));
            trainer.Add(Seconds(() => TrainRecording(spec, training, examples, null), threads));
            replay.Add(Seconds(() => Replay(spec, training, recorded), threads));
            if (text)
            {
                reading.Add(Seconds(() =>
                {
                    CountWords(train, options, lstm.Features.Vocabulary!.Tokenizer);
                    ReadExamples(train, options.FeatureColumnName, lstm.Features);
                }, threads));
            }
            else
            {
                reading.Add(Seconds(() => ReadExamples(keys.Fit(train).Transform(train), options.FeatureColumnName, lstm.Features), threads));
                mlnetTransforms.Add(Seconds(() => ReadColumn(keys.Fit(train).Transform(train), "Tokens"), threads));
            }
        }

        // Scoring, one row at a time: the engine on prepared batches, a cursor over Transform, PredictionEngine.
        IDataView testFeatures = text ? test : PrefixOf(model).Transform(test);
        SequenceBatch<float>[] batches = ScoringBatches(testFeatures, options.FeatureColumnName, lstm.Features);
        SequenceBatch<float>[] transformBatches = TransformBatches(batches);
        SequenceNetwork<float> scoring = lstm.Model.Network.CloneForInference();
        using var engine = ml.Model.CreatePredictionEngine<Review, ScoredReview>(model);
        Review[] inputs = [.. testRows];
        var scoredOutput = new ScoredReview();
        CheckScores(model, test, engine, inputs, scoring, batches, transformBatches);
        if (ProfiledPhase is string phase)
        {
            // For a profiler: one phase in a loop, nothing measured.
            Action loop = phase switch
            {
                "transform" => () => ReadScores(model.Transform(test)),
                "predict" => () =>
                {
                    foreach (Review input in inputs)
                        engine.Predict(input, ref scoredOutput);
                },
                "engine" => () => PredictAll(scoring, batches),
                "batched" => () => PredictAll(scoring, transformBatches),
                _ => () => pipeline.Fit(train),
            };
            var profileClock = Stopwatch.StartNew();
            while (profileClock.Elapsed.TotalSeconds < seconds)
                loop();
            return null;
        }
        // Passes over the test rows, the kinds alternating, each timed by the process's CPU time.
        var transformRun = new List<double>();
        List<double> transformWall = [], engineWall = [], batchedWall = [];
        var engineRun = new List<double>();
        var batchedRun = new List<double>();
        var predictionRun = new List<double>();
        var mlnetRun = new List<double>();
        long transformBytes = 0, predictionBytes = 0;
        var clock = Stopwatch.StartNew();
        for (int pass = 0; pass < 3 || clock.Elapsed.TotalSeconds < seconds * rounds * 3; pass++)
        {
            if (pass == 1)
            {
                // The first pass of each kind compiled their hot methods: it is not kept.
                transformRun.Clear();
                transformWall.Clear();
                engineWall.Clear();
                batchedWall.Clear();
                engineRun.Clear();
                batchedRun.Clear();
                predictionRun.Clear();
                mlnetRun.Clear();
                Thread.Sleep(500);
            }
            transformRun.Add(PerRow(() => ReadScores(model.Transform(test)), testRows.Count, ref transformBytes));
            transformWall.Add(LastWallPerRow);
            engineRun.Add(PerRow(() => PredictAll(scoring, batches), testRows.Count, ref Unused));
            engineWall.Add(LastWallPerRow);
            batchedRun.Add(PerRow(() => PredictAll(scoring, transformBatches), testRows.Count, ref Unused));
            batchedWall.Add(LastWallPerRow);
            predictionRun.Add(PerRow(() =>
            {
                foreach (Review input in inputs)
                    engine.Predict(input, ref scoredOutput);
            }, testRows.Count, ref predictionBytes));
            if (!text)
                mlnetRun.Add(PerRow(() => ReadColumn(PrefixOf(model).Transform(test), "Tokens"), testRows.Count, ref Unused));
        }
        return new Figures(
            Median(fit), Median(trainer), Median(replay), Median(reading), text ? null : Median(mlnetTransforms),
            string.Join(", ", fit.Select((f, i) => $"{(f - replay[i]) / f:P1}")),
            Median(transformRun), Median(predictionRun), Median(engineRun), Median(batchedRun), text ? null : Median(mlnetRun), transformBytes, predictionBytes, transformRun.Count,
            Median(transformWall), Median(engineWall), Median(batchedWall));
    }

    private static long Unused;

    /// <summary>
    /// <c>ReadAheadPredictions.MaxBatchRows</c>, written out so that this file also builds against a library from before
    /// it (<c>compare-mlnet-path.sh</c> runs it on an earlier revision).
    /// </summary>
    private const int TransformBatchRows = 64;

    /// <summary>The wall time per row of the last <see cref="PerRow"/> pass.</summary>
    private static double LastWallPerRow;

    /// <summary>With <c>--profile PHASE</c> (fit, transform, predict, engine, batched): the phase alone in a loop for <c>--seconds</c>, for a profiler.</summary>
    private static string? ProfiledPhase;

    private static void Part(string name, double seconds, double total) =>
        Console.WriteLine($"|  | {name} | | | {seconds:F3} s | {seconds / total:P1} | |");

    private static void Row(string form, string phase, double total, double engine, string unit, long? bytesPerRow)
    {
        double scale = unit == "s" ? 1 : 1e6;
        string Format(double value) => unit == "s" ? $"{value:F3} s" : $"{value * scale:F1} µs";
        Console.WriteLine($"| {form} | {phase} | {Format(total)} | {Format(engine)} | {Format(total - engine)} | {(total - engine) / total:P1} | {(bytesPerRow is long b ? $"{b} B" : "")} |");
    }

    /// <summary>The binary classifier at the end of a fitted pipeline (or the fitted trainer itself).</summary>
    private static SequenceBinaryClassificationTransformer Last(ITransformer model) => model switch
    {
        SequenceBinaryClassificationTransformer lstm => lstm,
        TransformerChain<SequenceBinaryClassificationTransformer> chain => chain.LastTransformer,
        _ => throw new InvalidOperationException($"Unexpected model {model.GetType().Name}."),
    };

    /// <summary>The transforms of a keys pipeline before the trainer: what turns text into token keys.</summary>
    private static ITransformer PrefixOf(ITransformer model) =>
        new TransformerChain<ITransformer>([.. ((TransformerChain<SequenceBinaryClassificationTransformer>)model).Take(2)]);

    /// <summary>The vocabulary pass of <c>Fit</c> over a text column: every text's words counted.</summary>
    private static void CountWords(IDataView data, LstmBinaryTrainer.Options options, TextTokenizer tokenizer)
    {
        var builder = new TextVocabulary.Builder(tokenizer);
        DataViewSchema.Column column = data.Schema[options.FeatureColumnName];
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        ValueGetter<ReadOnlyMemory<char>> getText = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getText(ref text);
            builder.Add(text.Span);
        }
        builder.Build(options.MinimumWordCount, options.MaximumVocabularySize);
    }

    /// <summary>Reads a key vector column of every row: what the transforms that make it cost alone.</summary>
    private static void ReadColumn(IDataView data, string name)
    {
        DataViewSchema.Column column = data.Schema[name];
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        ValueGetter<VBuffer<uint>> getKeys = cursor.GetGetter<VBuffer<uint>>(column);
        VBuffer<uint> keys = default;
        while (cursor.MoveNext())
            getKeys(ref keys);
    }

    /// <summary>The training examples, row after row, read as <c>Fit</c> reads them.</summary>
    private static List<SequenceExample> ReadExamples(IDataView data, string featureColumn, SequenceFeatures features)
    {
        var examples = new List<SequenceExample>();
        DataViewSchema.Column column = data.Schema[featureColumn];
        LabelColumn label = BooleanLabelColumn.From(data.Schema, "Label", "training");
        using DataViewRowCursor cursor = data.GetRowCursor([column, label.Column]);
        var reader = new SequenceRowReader(cursor, column, features.Input, features.MaxSequenceLength, "training", vocabulary: features.Vocabulary);
        TargetGetter readTargets = label.CreateTargetGetter(cursor);
        while (cursor.MoveNext())
        {
            reader.Read();
            var targets = new float[1];
            readTargets(reader.RowSteps, targets);
            examples.Add(reader.ToExample(targets));
        }
        return examples;
    }

    /// <summary>Trains a network on <paramref name="examples"/> as <c>Fit</c> does, adding each batch it is given to <paramref name="recorded"/> when that is not null.</summary>
    private static SequenceNetwork<float> TrainRecording(
        NetworkSpec spec, TrainingOptions options, List<SequenceExample> examples, List<(SequenceBatch<float>, float[], bool)>? recorded)
    {
        var network = new SequenceNetwork<float>(spec, options.Seed, options.Threads);
        var trainer = new NetworkTrainer<float>(network, options)
        {
            BatchObserver = recorded is null ? null : (batch, targets, training) => recorded.Add((batch, targets, training)),
        };
        trainer.Train(examples);
        return network;
    }

    /// <summary>The engine alone: the recorded batches through a fresh network of the same spec and seed.</summary>
    private static void Replay(NetworkSpec spec, TrainingOptions options, List<(SequenceBatch<float> Batch, float[] Targets, bool Training)> recorded)
    {
        var network = new SequenceNetwork<float>(spec, options.Seed, options.Threads);
        var trainer = new NetworkTrainer<float>(network, options);
        IOptimizer<float> optimizer = trainer.CreateOptimizer();
        foreach ((SequenceBatch<float> batch, float[] targets, bool training) in recorded)
        {
            if (training)
                trainer.TrainOnBatch(batch, targets, optimizer, 0, 0);
            else
                network.Loss(batch, targets, training: false);
        }
    }

    /// <summary>A batch of one sequence per test row, filled with the row's token ids as the transformer reads them.</summary>
    internal static SequenceBatch<float>[] ScoringBatches(IDataView data, string featureColumn, SequenceFeatures features)
    {
        var batches = new List<SequenceBatch<float>>();
        DataViewSchema.Column column = data.Schema[featureColumn];
        using DataViewRowCursor cursor = data.GetRowCursor([column]);
        var reader = new SequenceRowReader(cursor, column, features.Input, features.MaxSequenceLength, vocabulary: features.Vocabulary);
        while (cursor.MoveNext())
        {
            reader.Read();
            var batch = SequenceBatch<float>.CreateEqualLengths(1, reader.Steps, 0);
            reader.Tokens.CopyTo(batch.Tokens);
            batches.Add(batch);
        }
        return [.. batches];
    }

    /// <summary>
    /// The test rows' sequences in the batches a <c>Transform</c> cursor scores them in (<c>ReadAheadPredictions</c>):
    /// consecutive rows, at most <see cref="TransformBatchRows"/> of them and <see cref="SequencePredictor.RetainedSteps"/>
    /// steps a batch.
    /// </summary>
    internal static SequenceBatch<float>[] TransformBatches(SequenceBatch<float>[] rows)
    {
        var batches = new List<SequenceBatch<float>>();
        var open = new List<int[]>();
        int steps = 0;
        foreach (SequenceBatch<float> row in rows)
        {
            int length = row.Layout.TotalSteps;
            if (open.Count == TransformBatchRows || steps + length > SequencePredictor.RetainedSteps)
            {
                batches.Add(SequenceBatch<float>.FromTokens(open));
                open = [];
                steps = 0;
            }
            open.Add(row.Tokens!);
            steps += length;
        }
        batches.Add(SequenceBatch<float>.FromTokens(open));
        return [.. batches];
    }

    internal static float PredictAll(SequenceNetwork<float> network, SequenceBatch<float>[] batches)
    {
        float sum = 0;
        foreach (SequenceBatch<float> batch in batches)
            sum += network.Predict(batch)[0];
        return sum;
    }

    /// <summary>Reads the three prediction columns of every row, as an evaluator would.</summary>
    private static void ReadScores(IDataView scored)
    {
        DataViewSchema schema = scored.Schema;
        using DataViewRowCursor cursor = scored.GetRowCursor([schema["Score"], schema["Probability"], schema["PredictedLabel"]]);
        ValueGetter<float> getScore = cursor.GetGetter<float>(schema["Score"]);
        ValueGetter<float> getProbability = cursor.GetGetter<float>(schema["Probability"]);
        ValueGetter<bool> getLabel = cursor.GetGetter<bool>(schema["PredictedLabel"]);
        float score = 0, probability = 0;
        bool label = false;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            getProbability(ref probability);
            getLabel(ref label);
        }
    }

    /// <summary>Checks that the three paths score the same, so that they time the same work.</summary>
    private static void CheckScores(
        ITransformer model, IDataView test, PredictionEngine<Review, ScoredReview> engine, Review[] inputs, SequenceNetwork<float> network,
        SequenceBatch<float>[] batches, SequenceBatch<float>[] transformBatches)
    {
        float[] scores = [.. model.Transform(test).GetColumn<float>("Score")];
        float[] batched = [.. transformBatches.SelectMany(batch => network.Predict(batch).ToArray())];
        for (int i = 0; i < inputs.Length; i++)
        {
            float direct = network.Predict(batches[i])[0];
            float predicted = engine.Predict(inputs[i]).Score;
            int bits = BitConverter.SingleToInt32Bits(direct);
            if (bits != BitConverter.SingleToInt32Bits(scores[i]) || bits != BitConverter.SingleToInt32Bits(predicted) || bits != BitConverter.SingleToInt32Bits(batched[i]))
                throw new InvalidOperationException($"Row {i}: the engine alone scores {direct} (in a batch {batched[i]}), Transform {scores[i]}, PredictionEngine {predicted}.");
        }
    }

    /// <summary>
    /// Seconds <paramref name="action"/> takes: on one thread the calling thread's CPU time, which neither the other
    /// processes of a shared machine nor the runtime's compiler thread inflate; on more, wall time (the engine's workers
    /// spin a while between sections, which CPU time would count).
    /// </summary>
    private static double Seconds(Action action, int threads)
    {
        Func<double> now = threads == 1 ? ThreadCpuSeconds : () => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        double start = now();
        action();
        return now() - start;
    }

    /// <summary>
    /// Seconds per row of <paramref name="pass"/> (one pass over <paramref name="rows"/> rows) in the process's CPU time
    /// (all its threads: a Transform cursor scores its batches on several), which the other processes of a shared machine do
    /// not inflate; and the bytes it allocates per row. Its wall time per row is left in <see cref="LastWallPerRow"/>.
    /// </summary>
    private static double PerRow(Action pass, int rows, ref long bytesPerRow)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        double start = ProcessCpuSeconds();
        var wallClock = Stopwatch.StartNew();
        pass();
        double elapsed = ProcessCpuSeconds() - start;
        LastWallPerRow = wallClock.Elapsed.TotalSeconds / rows;
        bytesPerRow = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rows;
        return elapsed / rows;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID), which leaves out the runtime's compiler thread; coarser elsewhere.</summary>
    private static double ThreadCpuSeconds()
    {
        const int ThreadCpuTimeClock = 3;
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTimeClock, out TimeSpec time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        return Environment.CpuUsage.TotalTime.TotalSeconds;
    }

    /// <summary>CPU time of the process, all threads (Linux: CLOCK_PROCESS_CPUTIME_ID, to the nanosecond); coarser elsewhere.</summary>
    private static double ProcessCpuSeconds()
    {
        const int ProcessCpuTimeClock = 2;
        if (OperatingSystem.IsLinux() && ClockGetTime(ProcessCpuTimeClock, out TimeSpec time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        return Environment.CpuUsage.TotalTime.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
