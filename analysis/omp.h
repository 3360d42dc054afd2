// DRSIM_OMP(directive): `#pragma omp directive` where drsim is built with OpenMP, else
// nothing (the loop then runs on one thread), without an #ifdef at each use and without
// -Wunknown-pragmas. E.g. DRSIM_OMP(parallel for num_threads(n) schedule(static)).
#pragma once

#ifdef _OPENMP
#define DRSIM_OMP_PRAGMA(text) _Pragma(#text)
#define DRSIM_OMP(...) DRSIM_OMP_PRAGMA(omp __VA_ARGS__)
#else
#define DRSIM_OMP(...)
#endif
