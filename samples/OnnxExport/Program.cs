// The ONNX export sample: a BiLSTM sentiment classifier trained in an ML.NET pipeline is exported with ML.NET's own
// converter (mlContext.Model.ConvertToOnnx) and scored by ONNX Runtime, beside the package's own scores:
//   1. the whole pipeline (TokenizeIntoWords → MapValueToKey → LSTM) through ApplyOnnxModel, one row at a time;
//   2. the LSTM alone, from its key column, through a raw InferenceSession: one call for a padded batch of mixed lengths.
//   dotnet run --project samples/OnnxExport -c Release          (no arguments; writes its .onnx files beside itself)
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm;
using Microsoft.ML.Transforms.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxExport;
using Sentiment;

if (args.Length > 0)
{
    Console.Error.WriteLine($"Unexpected argument '{args[0]}': this sample takes no arguments (dotnet run --project samples/OnnxExport -c Release).");
    return 1;
}

// ML.NET's exported tokenizer declares its output one token wide, which ONNX Runtime warns about on every row
// ("Shape mismatch attempting to re-use buffer"); the scores are right, so only errors are logged.
var ml = new MLContext(seed: 1);
ml.SetOnnxSessionOption(new OnnxSessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR });
IDataView train = ml.Data.LoadFromEnumerable(ReviewGenerator.Generate(1500, seed: 1));
ReviewText[] testReviews = [.. ReviewGenerator.Generate(300, seed: 2).Select(row => new ReviewText { Text = row.Text })];
IDataView test = ml.Data.LoadFromEnumerable(testReviews);

Console.WriteLine("Training a BiLSTM on 1,500 generated reviews...");
var keys = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
    .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"));
var lstm = ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
{
    FeatureColumnName = "Tokens", HiddenSize = 32, EmbeddingSize = 32, Epochs = 8, NumberOfThreads = 1,
});
var model = keys.Append(lstm).Fit(train);

// 1. The whole pipeline: ML.NET exports its tokenizer and MapValueToKey, the package its LSTM.
string pipelinePath = Path.Combine(AppContext.BaseDirectory, "sentiment.onnx");
using (var file = File.Create(pipelinePath))
    ml.Model.ConvertToOnnx(model, test, file);
float[] package = ml.Data.CreateEnumerable<Probability>(model.Transform(test), reuseRowObject: false).Select(p => p.Value).ToArray();
IDataView onnxScored = ml.Transforms.ApplyOnnxModel(pipelinePath).Fit(test).Transform(test);
float[] onnx = ml.Data.CreateEnumerable<OnnxProbability>(onnxScored, reuseRowObject: false).Select(p => p.Probability[0]).ToArray();
float largest = package.Zip(onnx, (a, b) => Math.Abs(a - b)).Max();
int agree = package.Zip(onnx, (a, b) => (a > 0.5f) == (b > 0.5f)).Count(same => same);
Console.WriteLine($"Exported the pipeline to {pipelinePath} ({new FileInfo(pipelinePath).Length / 1024} KB, opset 12).");
Console.WriteLine($"ApplyOnnxModel on {package.Length} test reviews: largest |Probability difference| {largest:E1}, same label on {agree} of {package.Length}.");

// 2. The LSTM alone, from the key column: a raw ONNX Runtime session scores a padded batch of mixed lengths in one call.
// ConvertToOnnx walks back through every exportable transform of the data view it is given, so the key column must
// start the data view: here a fresh one, its key type (the vocabulary's size) declared in a schema definition.
ITransformer keyModel = model.LastTransformer;
IDataView keyed = model.Take(2).Aggregate(test, (data, step) => step.Transform(data));
uint[][] rows = [.. keyed.GetColumn<VBuffer<uint>>("Tokens").Take(6).Select(tokens => tokens.DenseValues().ToArray())];
var keySchema = SchemaDefinition.Create(typeof(KeyRow));
keySchema["Tokens"].ColumnType = new VectorDataViewType((KeyDataViewType)((VectorDataViewType)keyed.Schema["Tokens"].Type).ItemType);
IDataView keyData = ml.Data.LoadFromEnumerable(rows.Select(tokens => new KeyRow { Tokens = tokens }), keySchema);
string lstmPath = Path.Combine(AppContext.BaseDirectory, "sentiment-keys.onnx");
using (var file = File.Create(lstmPath))
    ml.Model.ConvertToOnnx(keyModel, keyData, file);
int longest = rows.Max(row => row.Length);
var padded = new uint[rows.Length * longest];
Array.Fill(padded, uint.MaxValue); // the pad key: above every key count, so the graph counts each row's length
for (int i = 0; i < rows.Length; i++)
    rows[i].CopyTo(padded, i * longest);
using var session = new InferenceSession(lstmPath);
using var results = session.Run([NamedOnnxValue.CreateFromTensor("Tokens", new DenseTensor<uint>(padded, [rows.Length, longest]))], ["Probability.output"]);
float[] batch = [.. results[0].AsTensor<float>()];
Console.WriteLine();
Console.WriteLine($"One InferenceSession call on {rows.Length} reviews padded to {longest} keys ({lstmPath}):");
Console.WriteLine($"  {"package",8} {"ONNX",8}  review");
for (int i = 0; i < rows.Length; i++)
    Console.WriteLine($"  {package[i],8:P1} {batch[i],8:P1}  \"{testReviews[i].Text}\"");
return 0;

/// <summary>A row of token keys: the key-column model's one input.</summary>
internal sealed class KeyRow
{
    [VectorType]
    public uint[] Tokens { get; set; } = [];
}

/// <summary>The package's Probability column.</summary>
internal sealed class Probability
{
    [ColumnName("Probability")]
    public float Value { get; set; }
}

/// <summary>ApplyOnnxModel's Probability column: the graph output of one row, [1, 1].</summary>
internal sealed class OnnxProbability
{
    public float[] Probability { get; set; } = [];
}
