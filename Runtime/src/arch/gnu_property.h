/*
 * gnu_property.h — the GNU property note of the context-switch objects,
 * included at the end of every .S file of src/arch (outside their #if for the
 * architecture: an object assembled for another target is empty, but the
 * linker ANDs the notes of all inputs, so it must carry the note too).
 *
 * x86-64 built with -fcf-protection (__CET__ bit 0): IBT only.  The entry
 * points begin with endbr64 and the resume jump is notrack
 * (ctx_x86_64_sysv_elf.S, CET); SHSTK is not claimed, since a context switch
 * does not switch shadow stacks.
 *
 * AArch64 built with -mbranch-protection=bti/standard: BTI only (entry
 * points begin with bti c, the resume is ret; ctx_arm64_aapcs_elf.S); PAC is
 * not claimed.
 */
#if defined(__x86_64__) && defined(__ELF__) && defined(__CET__) && (__CET__ & 1)
    .section .note.gnu.property, "a"
    .p2align 3
    .long   4                       /* name size ("GNU\0") */
    .long   16                      /* descriptor size */
    .long   5                       /* NT_GNU_PROPERTY_TYPE_0 */
    .asciz  "GNU"
    .long   0xc0000002              /* GNU_PROPERTY_X86_FEATURE_1_AND */
    .long   4                       /* its data size */
    .long   1                       /* GNU_PROPERTY_X86_FEATURE_1_IBT */
    .p2align 3
#endif

#if defined(__aarch64__) && defined(__ELF__) && defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
    .section .note.gnu.property, "a"
    .p2align 3
    .long   4                       /* name size ("GNU\0") */
    .long   16                      /* descriptor size */
    .long   5                       /* NT_GNU_PROPERTY_TYPE_0 */
    .asciz  "GNU"
    .long   0xc0000000              /* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
    .long   4                       /* its data size */
    .long   1                       /* GNU_PROPERTY_AARCH64_FEATURE_1_BTI */
    .p2align 3
#endif
