// The sentiment sample: an LSTM classifies reviews inside an ordinary ML.NET pipeline, beside ML.NET's own
// bag-of-words baseline; the model is saved, reloaded and used to score a few sentences.
//   dotnet run --project samples/Sentiment -c Release                     generated reviews where word order matters
//   dotnet run --project samples/Sentiment -c Release -- --data FILE      text<TAB>label (UCI Sentiment Labelled Sentences)
//   ... --data TRAIN --test TEST                                           a given split (e.g. ../shared/data/sentiment)
using System.Diagnostics;
using Microsoft.ML;
using Sentiment;

var ml = new MLContext(seed: 1);
ml.Log += (_, message) =>
{
    if (message.Source.Contains("Lstm", StringComparison.Ordinal) && message.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info)
        Console.WriteLine($"  {message.Message[(message.Message.IndexOf("] ", StringComparison.Ordinal) + 2)..]}");
};
if (!SentimentData.TryLoad(ml, args, out IDataView train, out IDataView test, out string source))
    return 1;
Console.WriteLine($"Data: {source}");

// The LSTM reads the text column itself: it splits the text into words, builds its vocabulary from the training
// texts and saves it with the model.
var lstmPipeline = ml.BinaryClassification.Trainers.Lstm(labelColumnName: "Label", featureColumnName: "Text");

// ML.NET's own baseline: n-gram bag of words and logistic regression.
var baselinePipeline = ml.Transforms.Text.FeaturizeText("Features", "Text")
    .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));

Console.WriteLine("Training the LSTM...");
var clock = Stopwatch.StartNew();
var lstmModel = lstmPipeline.Fit(train);
TimeSpan lstmTime = clock.Elapsed;
clock.Restart();
var baselineModel = baselinePipeline.Fit(train);
TimeSpan baselineTime = clock.Elapsed;

var lstmMetrics = ml.BinaryClassification.Evaluate(lstmModel.Transform(test));
var baselineMetrics = ml.BinaryClassification.EvaluateNonCalibrated(baselineModel.Transform(test));

string modelPath = Path.Combine(AppContext.BaseDirectory, "sentiment-lstm.zip");
ml.Model.Save(lstmModel, train.Schema, modelPath);
var reloaded = new MLContext().Model.Load(modelPath, out _);
var engine = new MLContext().Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(reloaded);

Console.WriteLine();
Console.WriteLine($"{"model",-34} {"accuracy",9} {"AUC",7} {"F1",7} {"train time",11}");
Console.WriteLine($"{"LSTM (BiLSTM over the text)",-34} {lstmMetrics.Accuracy,9:P1} {lstmMetrics.AreaUnderRocCurve,7:F3} {lstmMetrics.F1Score,7:F3} {lstmTime.TotalSeconds,10:F1}s");
Console.WriteLine($"{"FeaturizeText + SdcaLogistic",-34} {baselineMetrics.Accuracy,9:P1} {baselineMetrics.AreaUnderRocCurve,7:F3} {baselineMetrics.F1Score,7:F3} {baselineTime.TotalSeconds,10:F1}s");
Console.WriteLine();
Console.WriteLine($"Saved to {modelPath} and reloaded; the reloaded model says:");
foreach (string text in new[]
{
    "the food was not good",
    "the service was slow but the food was delicious",
    "the food was delicious but the service was slow",
    "although the plot was boring, the acting was wonderful",
})
{
    var prediction = engine.Predict(new SentimentRow { Text = text });
    Console.WriteLine($"  {(prediction.PredictedLabel ? "positive" : "negative"),-8} {prediction.Probability,6:P0}  \"{text}\"");
}
return 0;
