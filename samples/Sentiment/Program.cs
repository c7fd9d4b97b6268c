// The sentiment sample: an LSTM classifies short reviews inside an ML.NET pipeline.
// The ML.NET layer lands with the next issue; until then this program says so.
Console.WriteLine("Microsoft.ML.Lstm sentiment sample: the ML.NET trainers are coming with the next release.");
