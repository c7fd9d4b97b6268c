// The tagging sample: a BiLSTM-CRF with character features tags people, locations and organisations in
// sentences, inside an ordinary ML.NET pipeline, and is scored by entity span (precision, recall, F1).
//   dotnet run --project samples/Tagging -c Release                               generated sentences; test names never seen in training
//   dotnet run --project samples/Tagging -c Release -- --train FILE --test FILE   CoNLL files (token first, tag last), e.g. ../shared/data/ner
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Lstm;
using Tagging;

var ml = new MLContext(seed: 1);
ml.Log += (_, message) =>
{
    if (message.Source.Contains("Lstm", StringComparison.Ordinal) && message.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info)
        Console.WriteLine($"  {message.Message[(message.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]}");
};
if (!TaggingData.TryLoad(args, out List<SentenceRow> trainRows, out List<SentenceRow> testRows, out string source))
    return 1;
Console.WriteLine($"Data: {source}");
IDataView train = ml.Data.LoadFromEnumerable(trainRows), test = ml.Data.LoadFromEnumerable(testRows);

// Tokens and tags become keys; the tagger reads the token keys, the tokens' text for its character features, and
// the tag keys as labels; the predicted keys map back to tag strings.
var pipeline = ml.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
    .Append(ml.Transforms.Conversion.MapValueToKey("Label", "Tags"))
    .Append(ml.MulticlassClassification.Trainers.LstmTagger(labelColumnName: "Label", featureColumnName: "TokenKeys", characterColumnName: "Tokens"))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedTags", "PredictedLabel"));

Console.WriteLine("Training the BiLSTM-CRF tagger...");
var clock = Stopwatch.StartNew();
var model = pipeline.Fit(train);
TimeSpan trainTime = clock.Elapsed;
TaggingMetrics metrics = ml.MulticlassClassification.EvaluateTagging(model.Transform(test), "Label", "PredictedLabel");

Console.WriteLine();
Console.WriteLine($"Trained in {trainTime.TotalSeconds:F1} s. On the test set, by entity span (conlleval's rules):");
Console.WriteLine($"{"entity type",-16} {"precision",9} {"recall",8} {"F1",8} {"gold",6}");
foreach (TaggingEntityMetrics type in metrics.PerEntityType.Values)
    Console.WriteLine($"{type.EntityType,-16} {type.Precision,9:P1} {type.Recall,8:P1} {type.F1Score,8:P1} {type.GoldCount,6}");
Console.WriteLine($"{"micro average",-16} {metrics.MicroPrecision,9:P1} {metrics.MicroRecall,8:P1} {metrics.MicroF1Score,8:P1} {metrics.GoldEntityCount,6}");
Console.WriteLine($"token accuracy {metrics.TokenAccuracy:P1}");

string modelPath = Path.Combine(AppContext.BaseDirectory, "tagger.zip");
ml.Model.Save(model, train.Schema, modelPath);
var reloaded = new MLContext().Model.Load(modelPath, out _);
var engine = new MLContext().Model.CreatePredictionEngine<SentenceRow, TaggedSentence>(reloaded);
Console.WriteLine();
Console.WriteLine($"Saved to {modelPath} and reloaded; it tags:");
foreach (SentenceRow row in testRows.Take(4))
{
    TaggedSentence tagged = engine.Predict(row);
    Console.WriteLine("  " + string.Join(" ", row.Tokens.Select((token, i) => tagged.PredictedTags[i] == "O" ? token : $"[{token} {tagged.PredictedTags[i]}]")));
}
return 0;
