using BenchmarkDotNet.Running;
using Microsoft.ML.Lstm.Benchmarks;

// `shapes` prints the side-by-side figures compare.sh reads, `peak` this CPU's fp32 FMA peak on N threads (compare.sh's "/ peak"), `scaling` the cost against length and batch,
// `e2e` the sentiment training compare-e2e.sh reads, `gemm` the products compare-gemm.sh reads, `step` the LSTM's recurrent steps alone (the product, the cell kernel, both),
// `tagging` the BiLSTM tagger compare-tagging.sh reads, `tagging-quality` span F1 on WNUT-17 through the catalog entry, `forecast-quality` ForecastByLstm and seasonal naive on the R series (compare-forecast.sh), `forecast` training windows per second of the forecasting network (compare-forecast-speed.sh), `profile` one case in a loop for a profiler, `memory` what training keeps against the BPTT minimum, `load` what reading a
// saved network and copying it for scoring cost, `heads` what a CRF tagging head costs beside a per-step softmax and the
// encoder, `lm` the language model compare-lm.sh reads, `onnx` the exported model in ONNX Runtime beside the package's engine, `text-quality`, `site-quality`,
// `learning-curve` and `small-data-probe` issue #13's figures on the UCI sentences, `featurize-quality` issue #11's 300-label bar, `featurize-sample` the Featurize sample's SDCA row over seeds and input forms, `concurrent` two models training at
// once in one process, `engine` one PredictionEngine call, `compressed` bfloat16 and int8 weights beside float32
// (issue #15), `mlnet-path` the time a sentiment job spends outside the engine (issue #15, item 5), `scoring` the test
// sentences scored through Transform and PredictionEngine (compare-scoring.sh), `scoring-threads` one
// PredictionEngine call on 1 and 2 scoring threads (WithScoringThreads); anything else goes to BenchmarkDotNet.
switch (args.Length > 0 ? args[0] : "")
{
    case "shapes":
        ShapesRunner.Run(args[1..]);
        break;
    case "scaling":
        ScalingRunner.Run(args[1..]);
        break;
    case "peak":
        PeakRunner.Run(args[1..]);
        break;
    case "gemm":
        GemmRunner.Run(args[1..]);
        break;
    case "step":
        StepRunner.Run(args[1..]);
        break;
    case "memory":
        MemoryRunner.Run(args[1..]);
        break;
    case "profile":
        ProfileRunner.Run(args[1..]);
        break;
    case "load":
        LoadRunner.Run(args[1..]);
        break;
    case "heads":
        HeadsRunner.Run(args[1..]);
        break;
    case "tagging":
        TaggingRunner.Run(args[1..]);
        break;
    case "tagging-quality":
        TaggingQualityRunner.Run(args[1..]);
        break;
    case "lm":
        LanguageModelRunner.Run(args[1..]);
        break;
    case "forecast-quality":
        ForecastQualityRunner.Run(args[1..]);
        break;
    case "forecast":
        ForecastSpeedRunner.Run(args[1..]);
        break;
    case "text-quality":
        TextQualityRunner.RunTextQuality(args[1..]);
        break;
    case "site-quality":
        TextQualityRunner.RunSiteQuality(args[1..]);
        break;
    case "small-data-probe":
        TextQualityRunner.RunSmallDataProbe(args[1..]);
        break;
    case "learning-curve":
        TextQualityRunner.RunLearningCurve(args[1..]);
        break;
    case "featurize-quality":
        FeaturizeQualityRunner.Run(args[1..]);
        break;
    case "featurize-sample":
        FeaturizeSampleRunner.Run(args[1..]);
        break;
    case "compressed":
        CompressionRunner.Run(args[1..]);
        break;
    case "engine":
        EngineRunner.Run(args[1..]);
        break;
    case "concurrent":
        ConcurrentRunner.Run(args[1..]);
        break;
    case "onnx":
        OnnxRunner.Run(args[1..]);
        break;
    case "mlnet-path":
        MLNetPathRunner.Run(args[1..]);
        break;
    case "scoring":
        ScoringRunner.Run(args[1..]);
        break;
    case "e2e":
        SentimentRunner.Run(args[1..]);
        break;
    case "scoring-threads":
        ScoringThreadsRunner.Run(args[1..]);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(ShapesRunner).Assembly).Run(args);
        break;
}
