/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmap_compat.h - the one place where kernel versions differ.
 *
 * Every difference is keyed on a feature probe of the headers we build
 * against (src/Kbuild greps them and defines SHMAP_HAVE_*), never on
 * LINUX_VERSION_CODE: distributions backport APIs.
 */
#ifndef SHMAP_COMPAT_H
#define SHMAP_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>

/*
 * vm_flags became read-only with accessors in 6.3: vm_flags_set() and
 * vm_flags_clear() take the vma write lock. Before that the mmap lock, held
 * for write in ->mmap, was enough to write the field directly.
 */
#ifdef SHMAP_HAVE_VM_FLAGS_SET
static inline void shmap_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
	vm_flags_set(vma, flags);
}

static inline void shmap_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
	vm_flags_clear(vma, flags);
}
#else
static inline void shmap_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
	vma->vm_flags |= flags;
}

static inline void shmap_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Inode operations take a struct mnt_idmap since 6.3, a struct
 * user_namespace before; shmap only passes it on to simple_setattr().
 */
#ifdef SHMAP_HAVE_MNT_IDMAP
#define shmap_idmap mnt_idmap
#else
#define shmap_idmap user_namespace
#endif

/*
 * The mapping hook. Where the headers have f_op->mmap_prepare,
 * vm_ops->mapped, mmap_action_map_kernel_pages() and the vma_desc_*() flag
 * helpers (7.2+), buffer files set ->mmap_prepare (shmap_mmap_desc.c);
 * before, ->mmap (shmap_mmap_vma.c). Kbuild builds one of the two files. A
 * file may set only one of the hooks: with both, the core refuses to map
 * it (can_mmap_file() warns). shmap_mmap_vma.c's shmap_mmap_vma() is built
 * on every kernel: a dma-buf's mmap sets up a vma.
 */
#ifdef SHMAP_HAVE_MMAP_PREPARE
#define SHMAP_FOP_MMAP .mmap_prepare = shmap_buf_mmap_prepare
#else
#define SHMAP_FOP_MMAP .mmap = shmap_buf_mmap
#endif

/*
 * Symbol namespaces (MODULE_IMPORT_NS(), for dma-buf's exports) are named
 * by identifiers up to 6.12 and by string literals since 6.13.
 */
#ifdef SHMAP_HAVE_NS_IDENTIFIER
#define SHMAP_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS(DMA_BUF)
#else
#define SHMAP_IMPORT_NS_DMA_BUF() MODULE_IMPORT_NS("DMA_BUF")
#endif

#endif /* SHMAP_COMPAT_H */
