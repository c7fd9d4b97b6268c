using BenchmarkDotNet.Running;
using Microsoft.ML.Lstm.Benchmarks;

// `shapes` prints the side-by-side figures compare.sh reads; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "shapes")
    ShapesRunner.Run(args[1..]);
else
    BenchmarkSwitcher.FromAssembly(typeof(ShapesRunner).Assembly).Run(args);
