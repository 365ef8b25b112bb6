/*
 * Test program for the MIPS VM: exercises every instruction class gcc emits for
 * -march=mips32r2 -O2 freestanding code, and every VM system call, then prints a checksum.
 *
 * argv[1]: number of mixing rounds (decimal, default 1000).
 * argv[2]: "oracle" to also exercise the preimage oracle: reads local key 1 (a keccak key),
 *          hints "test-data <key>", reads that keccak preimage and folds it into the checksum.
 */
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned short u16;

static long sys3(long number, long a, long b, long c)
{
    register long v0 __asm__("$2") = number;
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7");
    __asm__ volatile("syscall" : "+r"(v0), "=r"(a3) : "r"(a0), "r"(a1), "r"(a2) : "memory");
    return a3 ? -v0 : v0;
}

#define SYS_READ 4003
#define SYS_WRITE 4004
#define SYS_BRK 4045
#define SYS_FCNTL 4055
#define SYS_MMAP 4090
#define SYS_CLONE 4120
#define SYS_GETPID 4020

/* gcc turns these loops into calls to themselves unless told not to. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *dst, const void *src, unsigned n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memset(void *dst, int c, unsigned n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

static void write_all(int fd, const void *buf, u32 len)
{
    const char *p = buf;
    while (len) {
        long n = sys3(SYS_WRITE, fd, (long)p, len);
        if (n <= 0)
            return;
        p += n;
        len -= (u32)n;
    }
}

static void read_all(int fd, void *buf, u32 len)
{
    char *p = buf;
    while (len) {
        long n = sys3(SYS_READ, fd, (long)p, len);
        if (n <= 0)
            return;
        p += n;
        len -= (u32)n;
    }
}

static u32 str_len(const char *s)
{
    u32 n = 0;
    while (s[n])
        n++;
    return n;
}

static void put(const char *s) { write_all(1, s, str_len(s)); }

static void put_hex(u32 v)
{
    char buf[9];
    for (int i = 7; i >= 0; i--) {
        buf[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    buf[8] = '\n';
    write_all(1, buf, 9);
}

static u32 parse_u32(const char *s)
{
    u32 v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (u32)(*s++ - '0');
    return v;
}

struct __attribute__((packed)) unaligned {
    char tag;
    u32 word;
    u16 half;
};

struct fields {
    u32 low : 5;
    u32 mid : 11;
    u32 high : 16;
};

typedef u32 (*mixer)(u32, u32);

static u32 mix_add(u32 a, u32 b) { return a + b * 0x9e3779b9u; }
static u32 mix_xor(u32 a, u32 b) { return (a ^ b) * 0x85ebca6bu; }
static u32 mix_rot(u32 a, u32 b) { return (a << (b & 31)) | (a >> ((32 - b) & 31)); }
static u32 mix_nor(u32 a, u32 b) { return ~(a | b) - (a & b); }

static volatile mixer mixers[4] = {mix_add, mix_xor, mix_rot, mix_nor};

__attribute__((noinline)) static u32 classify(u32 x)
{
    switch (x % 7) {
    case 0: return x * 3;
    case 1: return x ^ 0x1234;
    case 2: return x >> 3;
    case 3: return x + 77;
    case 4: return x - 1000;
    case 5: return x | 0x8000;
    default: return x & 0xfff0;
    }
}

__attribute__((noinline)) static u32 round_mix(u32 acc, u32 i, struct unaligned *u, struct fields *f)
{
    i32 sa = (i32)acc;
    i32 si = (i32)(i * 2654435761u);
    u64 wide = (u64)acc * (u64)(i | 1);
    i64 swide = (i64)sa * (i64)si;
    acc ^= (u32)(wide >> 32) + (u32)wide;
    acc += (u32)(swide >> 32);
    acc += acc / ((i & 0xff) + 1) + acc % ((i & 0x7f) + 3);
    acc ^= (u32)(sa / (si | 1)) + (u32)(sa % ((si & 0xffff) | 1));
    acc += (u32)__builtin_clz(acc | 1) + (u32)__builtin_clz(~acc | 1);
    acc ^= __builtin_bswap32(acc);
    acc += (acc >> 7) | (acc << 25);
    acc ^= (acc >> (i & 31)) | (acc << ((32 - i) & 31));
    acc += (u32)(i32)(signed char)acc + (u32)(i32)(short)(acc >> 8);
    acc ^= ((i32)acc >> (i & 15)) + (acc << (i & 7)) + (acc >> (i & 3));
    acc += (sa < si) + (acc < i) + (sa < -5) + (acc < 1000u);
    acc = (i & 1) ? acc + 1 : acc - 3;
    acc = (acc & 4) ? acc : i;
    u->word += acc;
    u->half ^= (u16)acc;
    u->tag += (char)i;
    acc += u->word + u->half + (u32)(signed char)u->tag;
    f->mid = acc >> 3;
    f->low += i;
    f->high ^= acc;
    acc += f->low + f->mid * 3 + f->high;
    acc = mixers[i & 3](acc, i);
    acc += classify(acc);
    return acc;
}

__attribute__((noinline)) static i64 dot(const i32 *a, const i32 *b, u32 n)
{
    i64 acc = 0;
    for (u32 k = 0; k < n; k++)
        acc += (i64)a[k] * b[k];
    for (u32 k = 0; k < n; k++)
        acc -= (i64)a[k] * 3;
    return acc;
}

__attribute__((noinline)) static u64 dotu(const u32 *a, const u32 *b, u32 n)
{
    u64 acc = 0;
    for (u32 k = 0; k < n; k++)
        acc += (u64)a[k] * b[k];
    return acc;
}

__attribute__((noinline)) static i32 extras(i32 x, const short *h, u32 n, i64 acc)
{
    static u32 counter;
    for (u32 k = 0; k < n; k++)
        acc -= (i64)h[k] * x;
    if (x < 0)
        x = -x + (x >> 5);
    if (x >= 0)
        x += (i32)__builtin_clz(~(u32)x);
    __atomic_fetch_add(&counter, (u32)x, __ATOMIC_SEQ_CST);
    return x + (i32)acc + (i32)(acc >> 32) + (i32)counter;
}

static void sort(u16 *v, u32 n)
{
    for (u32 i = 1; i < n; i++) {
        u16 x = v[i];
        u32 j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static u32 oracle_checksum(void)
{
    unsigned char key[32];
    unsigned char local[32];
    unsigned char lenbuf[8];
    memset(key, 0, sizeof key);
    key[0] = 1;
    key[31] = 1;
    write_all(6, key, 32);
    read_all(5, lenbuf, 8);
    read_all(5, local, 32);

    static const char prefix[] = "test-data ";
    unsigned char hint[4 + sizeof prefix - 1 + 32];
    u32 payload = sizeof prefix - 1 + 32;
    hint[0] = 0; hint[1] = 0; hint[2] = (unsigned char)(payload >> 8); hint[3] = (unsigned char)payload;
    memcpy(hint + 4, prefix, sizeof prefix - 1);
    memcpy(hint + 4 + sizeof prefix - 1, local, 32);
    write_all(4, hint, 3);
    write_all(4, hint + 3, sizeof hint - 3);
    char ack;
    read_all(3, &ack, 1);

    write_all(6, local, 32);
    read_all(5, lenbuf, 8);
    u32 len = ((u32)lenbuf[4] << 24) | ((u32)lenbuf[5] << 16) | ((u32)lenbuf[6] << 8) | lenbuf[7];
    u32 sum = len;
    unsigned char chunk[61];
    while (len) {
        u32 n = len < sizeof chunk ? len : sizeof chunk;
        read_all(5, chunk, n);
        for (u32 k = 0; k < n; k++)
            sum = sum * 31 + chunk[k];
        len -= n;
    }
    return sum;
}

int main(int argc, char **argv)
{
    u32 rounds = argc > 1 ? parse_u32(argv[1]) : 1000;
    int use_oracle = argc > 2 && argv[2][0] == 'o';

    put("mips test program\n");
    write_all(2, "stderr ok\n", 10);
    u32 acc = 0x12345678u;
    acc += (u32)sys3(SYS_FCNTL, 1, 3, 0) + (u32)sys3(SYS_FCNTL, 5, 3, 0);
    acc += (u32)sys3(SYS_FCNTL, 99, 3, 0) + (u32)sys3(SYS_FCNTL, 0, 1, 0);
    acc += (u32)sys3(SYS_BRK, 0, 0, 0) + (u32)sys3(SYS_CLONE, 0, 0, 0);
    acc += (u32)sys3(SYS_GETPID, 0, 0, 0) + (u32)sys3(SYS_READ, 0, (long)&acc, 0);
    acc += (u32)sys3(SYS_WRITE, 42, (long)&acc, 4);

    u16 *buf = (u16 *)sys3(SYS_MMAP, 0, 5000, 0);
    i32 *va = (i32 *)sys3(SYS_MMAP, 0, 4096, 0);
    i32 *vb = va + 512;
    for (u32 k = 0; k < 256; k++)
        buf[k] = (u16)(k * 40503u);
    for (u32 k = 0; k < 512; k++) {
        va[k] = (i32)(k * 2654435761u);
        vb[k] = (i32)(k * 40503u) - 7000;
    }
    sort(buf, 256);
    for (u32 k = 1; k < 256; k++)
        if (buf[k - 1] > buf[k])
            acc += 1000;
    acc += buf[0] + buf[100] + buf[255];
    i64 d = dot(va, vb, 512);
    u64 du = dotu((const u32 *)va, (const u32 *)vb, 512);
    acc ^= (u32)d ^ (u32)(d >> 32) ^ (u32)du ^ (u32)(du >> 32);
    acc += (u32)extras((i32)acc, (const short *)va, 300, d);
    acc += (u32)extras(-(i32)acc, (const short *)vb, 200, (i64)du);

    static struct unaligned u = {1, 0x01020304, 0x0506};
    static struct fields f = {3, 100, 5000};
    for (u32 i = 0; i < rounds; i++)
        acc = round_mix(acc, i, &u, &f);

    if (use_oracle)
        acc ^= oracle_checksum();
    put_hex(acc);
    return (int)(acc & 1);
}
