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

#endif /* SHMAP_COMPAT_H */
