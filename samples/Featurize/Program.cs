// The featurizing sample: an LSTM language model learns from unlabelled text (FeaturizeByLstm); its vectors, with a
// few labels, train ML.NET's SDCA beside FeaturizeText on the same labels, and start an LSTM classifier (pretraining);
// then a character-level language model generates a few lines.
//   dotnet run --project samples/Featurize -c Release                         generated reviews, 200 of them labelled
//   dotnet run --project samples/Featurize -c Release -- --data FILE          text<TAB>label lines (UCI Sentiment Labelled Sentences)
//   ... --data TRAIN --test TEST --labels 300 --seed 2                        a given split, how many labels, which rows carry them
//   ... --text FILE                                                           plain text for the character-level model (tinyshakespeare)
using System.Diagnostics;
using Featurize;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm;

if (!SampleArguments.TryParse(args, out SampleArguments arguments))
    return 1;
var ml = new MLContext(seed: arguments.Seed);
(ReviewRow[] unlabelled, ReviewRow[] labelled, ReviewRow[] test, string source) = SampleData.Reviews(ml, arguments);
Console.WriteLine($"Data: {source}");
IDataView allText = ml.Data.LoadFromEnumerable(unlabelled.Concat(labelled));
IDataView train = ml.Data.LoadFromEnumerable(labelled), testData = ml.Data.LoadFromEnumerable(test);

// 1. The featurizer learns from every review's text, without labels: it splits the text into words and keeps those seen
// twice or more (its vocabulary), as the LSTM trainers do.
var clock = Stopwatch.StartNew();
LstmFeaturizingTransformer featurizer = ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options
{
    OutputColumnName = "Features", InputColumnName = "Text", Epochs = 10, Seed = arguments.Seed,
}).Fit(allText);
TimeSpan featurizerTime = clock.Elapsed;

// 2. SDCA on the featurizer's vectors (each feature standardized), with the few labels. Cache: the vectors are computed
// once, where SDCA would otherwise run the network again on each of its passes over the rows.
clock.Restart();
var sdca = ml.Transforms.NormalizeMeanVariance("Features")
    .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(Sdca()))
    .Fit(ml.Data.Cache(featurizer.Transform(train)));
TimeSpan sdcaTime = clock.Elapsed;

// 3. ML.NET's own baseline on the same labels: n-gram bag of words and SDCA.
clock.Restart();
var baseline = ml.Transforms.Text.FeaturizeText("Features", "Text")
    .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(Sdca()))
    .Fit(train);
TimeSpan baselineTime = clock.Elapsed;

// 4. An LSTM classifier whose encoder starts from the featurizer's (fine-tuned; it reads the text with the featurizer's
// words), and one that starts from scratch (its words are those of the labelled reviews).
clock.Restart();
var pretrained = ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
{
    LabelColumnName = "Label", FeatureColumnName = "Text", PretrainedEncoder = featurizer, Seed = arguments.Seed,
}).Fit(train);
TimeSpan pretrainedTime = clock.Elapsed;
clock.Restart();
var scratch = ml.BinaryClassification.Trainers.Lstm(new LstmBinaryTrainer.Options
{
    LabelColumnName = "Label", FeatureColumnName = "Text", Seed = arguments.Seed,
}).Fit(train);
TimeSpan scratchTime = clock.Elapsed;

var rows = new (string Name, Microsoft.ML.Data.CalibratedBinaryClassificationMetrics Metrics, TimeSpan Time)[]
{
    ("FeaturizeByLstm + SdcaLogistic", ml.BinaryClassification.Evaluate(sdca.Transform(featurizer.Transform(testData))), sdcaTime),
    ("FeaturizeText + SdcaLogistic", ml.BinaryClassification.Evaluate(baseline.Transform(testData)), baselineTime),
    ("LSTM classifier, pretrained", ml.BinaryClassification.Evaluate(pretrained.Transform(testData)), pretrainedTime),
    ("LSTM classifier, from scratch", ml.BinaryClassification.Evaluate(scratch.Transform(testData)), scratchTime),
};
Console.WriteLine();
LanguageModelMetrics wordModel = featurizer.EvaluateLanguageModel(testData);
Console.WriteLine($"The featurizer trained on {unlabelled.Length + labelled.Length:N0} reviews without labels in {featurizerTime.TotalSeconds:F1} s " +
    $"(its forward language model's perplexity on the test reviews: {wordModel.Perplexity:F1}); each model below saw {labelled.Length} labels.");
Console.WriteLine($"{"model",-32} {"accuracy",9} {"AUC",7} {"train time",11}");
foreach (var (name, metrics, time) in rows)
    Console.WriteLine($"{name,-32} {metrics.Accuracy,9:P1} {metrics.AreaUnderRocCurve,7:F3} {time.TotalSeconds,10:F1}s");

// 5. A character-level language model: perplexity on held-out text, then a few generated lines.
(TextLine[] trainText, TextLine[] heldOut, string textSource) = SampleData.Characters(arguments, unlabelled);
var characters = ml.Transforms.Conversion.MapValueToKey("Characters");
clock.Restart();
var languageModel = characters.Append(ml.Transforms.FeaturizeByLstm(new LstmFeaturizingEstimator.Options
{
    OutputColumnName = "Features", InputColumnName = "Characters", Bidirectional = false, HiddenSize = 128, EmbeddingSize = 32,
    Epochs = arguments.CharacterEpochs, Dropout = 0.1, Seed = arguments.Seed,
})).Fit(ml.Data.LoadFromEnumerable(trainText));
LanguageModelMetrics perplexity = languageModel.LastTransformer.EvaluateLanguageModel(languageModel.Transform(ml.Data.LoadFromEnumerable(heldOut)));
Console.WriteLine();
Console.WriteLine($"Character-level model on {textSource}, trained in {clock.Elapsed.TotalSeconds:F0} s: " +
    $"{perplexity.BitsPerToken:F2} bits per character on held-out text (perplexity {perplexity.Perplexity:F2}).");

string modelPath = Path.Combine(AppContext.BaseDirectory, "character-model.zip");
ml.Model.Save(languageModel, ml.Data.LoadFromEnumerable(trainText).Schema, modelPath);
var reloaded = (LstmFeaturizingTransformer)((TransformerChain<ITransformer>)new MLContext().Model.Load(modelPath, out _)).LastTransformer;
Console.WriteLine($"Saved to {modelPath} and reloaded; it continues:");
foreach (string prefix in arguments.Prompts)
{
    string[] next = reloaded.Generate(prefix.Select(c => c.ToString()), new LstmGenerationOptions { MaxTokens = 100, Temperature = 0.7, TopK = 10, Seed = 1, StopTokens = ["\n"] });
    Console.WriteLine($"  {prefix.Replace("\n", " / ")}|{string.Concat(next).TrimEnd('\n').Replace("\n", " / ")}");
}
return 0;

// SDCA on one thread: a few hundred rows need no more, and the result repeats.
static Microsoft.ML.Trainers.SdcaLogisticRegressionBinaryTrainer.Options Sdca() =>
    new() { LabelColumnName = "Label", FeatureColumnName = "Features", NumberOfThreads = 1 };
