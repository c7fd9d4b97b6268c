# The instruction-set classes compare.sh and compare-gemm.sh pair the engines on (sourced, not run): isa_env ISA sets
# ours_env and peer_env, the `env` arguments each engine runs under.
#   native     (default) each at its best on this CPU;
#   avx2       the AVX2 class on a CPU that has AVX-512: ours with DOTNET_EnableAVX512F=0 (and .NET 10's
#              DOTNET_EnableAVX512=0), PyTorch with OpenBLAS forced to its AVX2 kernels (OPENBLAS_CORETYPE=Haswell);
#   avx        a CPU with AVX but without AVX2 and FMA (Sandy and Ivy Bridge): ours with DOTNET_EnableAVX2=0 (which
#              takes FMA away too; the GEMM runs its 256-bit kernel without fusing, the gate kernels 128 bits), PyTorch
#              with OpenBLAS on its AVX kernels (OPENBLAS_CORETYPE=Sandybridge) and ATen's vector code below AVX2
#              (ATEN_CPU_CAPABILITY=default);
#   sse        a CPU without AVX (Atom-class Celerons and Pentiums, x86 before 2011), where ours runs its portable
#              128-bit path, as ARM64 does (with FMA there): ours with DOTNET_EnableAVX=0, PyTorch with OpenBLAS on its
#              SSE kernels (OPENBLAS_CORETYPE=Nehalem) and ATEN_CPU_CAPABILITY=default.
# Otherwise the peer runs at its best: OPENBLAS_CORETYPE unset (this machine exports Haswell, which halves OpenBLAS's
# speed on AVX-512 CPUs).
isa_env() {
  case "$1" in
    native) ours_env=(); peer_env=(-u OPENBLAS_CORETYPE) ;;
    avx2) ours_env=(DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0); peer_env=(OPENBLAS_CORETYPE=Haswell) ;;
    avx) ours_env=(DOTNET_EnableAVX2=0); peer_env=(OPENBLAS_CORETYPE=Sandybridge ATEN_CPU_CAPABILITY=default) ;;
    sse) ours_env=(DOTNET_EnableAVX=0); peer_env=(OPENBLAS_CORETYPE=Nehalem ATEN_CPU_CAPABILITY=default) ;;
    *) echo "--isa takes native, avx2, avx or sse, not '$1'." >&2; return 1 ;;
  esac
}
