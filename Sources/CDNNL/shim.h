#ifndef SLIM_CDNNL_SHIM_H
#define SLIM_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <malloc.h>

/// DNNL_MEMORY_ALLOCATE does not import into Swift: expose it as a function.
static inline void *slim_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
/// DNNL_MEMORY_NONE, likewise.
static inline void *slim_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }
/// DNNL_RUNTIME_F32_VAL does not import into Swift either.
static inline float slim_dnnl_runtime_f32_val(void) { return DNNL_RUNTIME_F32_VAL; }
/// glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD do not import into Swift: sets both to `bytes`.
static inline void slim_malloc_keep_blocks_below(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, bytes);
}
#endif
