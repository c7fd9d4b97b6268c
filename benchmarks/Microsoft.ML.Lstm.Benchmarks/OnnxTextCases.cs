using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `onnx --text` mode: the same binary classifier read from a raw text column (the package's tokenizer and a
/// 7,000-word vocabulary), exported with its text reading (<c>StringNormalizer</c>, ONNX Runtime's <c>Tokenizer</c>,
/// <c>LabelEncoder</c>), text to score on both sides: a batch of texts through the package's transformer against one
/// session call on a string tensor [N, 1], and one text through a PredictionEngine against ApplyOnnxModel's.
/// </summary>
internal static class OnnxTextCases
{
    public static void Run(SequenceNetwork<float> network, int vocabularySize, int threads, int batchSize, int rounds, int repeats)
    {
        var random = new Random(2);
        string[] words = [.. Enumerable.Range(0, vocabularySize).Select(i => $"w{i}")];
        var builder = new TextVocabulary.Builder(new TextTokenizer(Lowercase: true, KeepPunctuation: false));
        builder.Add(string.Join(' ', words));
        TextVocabulary vocabulary = builder.Build(1, 0);
        // Texts of 8 to 64 words, some upper-cased, with commas and full stops and an unknown word now and then.
        string Text(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => random.Next(20) switch
        {
            0 => "Unknown",
            1 => words[random.Next(words.Length)].ToUpperInvariant() + ",",
            2 => words[random.Next(words.Length)] + ".",
            _ => words[random.Next(words.Length)],
        }));
        string[] texts = [.. Enumerable.Range(0, batchSize).Select(_ => Text(8 + random.Next(57)))];
        string single = Text(32);

        var ml = new MLContext(seed: 1);
        ml.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL });
        var transformer = new SequenceBinaryClassificationTransformer(ml, SequenceModel.FromNetwork(network),
            new SequenceFeatures("Text", SequenceInput.TokenKeys((ulong)vocabulary.Count), 0) { Vocabulary = vocabulary });
        IDataView schema = ml.Data.LoadFromEnumerable([new Row { Text = single }]);
        byte[] onnx;
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(transformer, schema, stream);
            onnx = stream.ToArray();
        }
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(onnx, options);

        Console.WriteLine();
        Console.WriteLine($"the same network over a text column ({vocabulary.Count} words, lower-cased, punctuation dropped), text to score: a batch of {batchSize} texts of 8 to 64 words, one text of 32");
        Console.WriteLine("| case | Microsoft.ML.Lstm | ONNX Runtime | ONNX Runtime / package |");
        Console.WriteLine("|---|---:|---:|---:|");

        // A batch: the package's transformer over an IDataView of the texts (read and scored row by row, as ML.NET does)
        // against one session call on all texts.
        IDataView batchView = ml.Data.LoadFromEnumerable(texts.Select(text => new Row { Text = text }));
        var batchInput = new[] { NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(texts, [batchSize, 1])) };
        (double packageBatch, double onnxBatch) = OnnxRunner.SideBySide(
            () => transformer.Transform(batchView).GetColumn<float>("Score").Sum(),
            () => { using var _ = session.Run(batchInput, ["Score.output"]); }, rounds, repeats);
        Console.WriteLine($"| batch of {batchSize} texts (texts/s) | {batchSize / packageBatch:F1} | {batchSize / onnxBatch:F1} | {packageBatch / onnxBatch:F2} (higher is faster) |");

        // One text through ML.NET: PredictionEngine over the package's transformer, and over ApplyOnnxModel.
        var packageEngine = ml.Model.CreatePredictionEngine<Row, Prediction>(transformer);
        using var onnxStream = new MemoryStream(onnx);
        var onnxEngine = ml.Model.CreatePredictionEngine<Row, OnnxPrediction>(ml.Transforms.ApplyOnnxModel(onnxStream).Fit(schema));
        var row = new Row { Text = single };
        (double packageOne, double onnxOne) = OnnxRunner.SideBySide(() => packageEngine.Predict(row), () => onnxEngine.Predict(row), rounds, repeats * 10);
        Console.WriteLine($"| PredictionEngine, one text of 32 words (µs) | {packageOne * 1e6:F1} | {onnxOne * 1e6:F1} | {onnxOne / packageOne:F2} (higher is slower) |");
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float Score { get; set; }
    }

    private sealed class OnnxPrediction
    {
        public float[] Score { get; set; } = [];
    }
}
