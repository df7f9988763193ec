/*
 * fake_v4l2.c - LD_PRELOAD shim that makes fake v4l2loopback output devices
 * appear to a process, so pyvirtualcam's native 'v4l2loopback' backend can
 * run end to end on a machine without /dev/video*, kernel modules or camera.
 *
 * Build:  gcc -shared -fPIC -O2 -o fake_v4l2.so fake_v4l2.c -ldl
 * Use:    LD_PRELOAD=/path/fake_v4l2.so FAKE_V4L2_RECORD=/tmp/rec python app.py
 *
 * What pyvirtualcam 0.15.0 (native_linux_v4l2loopback) really calls, and so
 * what is intercepted here:
 *   open(path, O_WRONLY|O_SYNC)                  -> fd of the recording file
 *   ioctl(fd, VIDIOC_QUERYCAP, struct v4l2_capability *)
 *   ioctl(fd, VIDIOC_S_FMT, struct v4l2_format *)  (type VIDEO_OUTPUT)
 *   write(fd, frame, sizeimage)                  -> appended to the recording
 *   close(fd)
 * With device=None it probes open("/dev/video0") ... open("/dev/video99").
 * open64/openat/openat64/__open_2/__open64_2/__openat_2 are intercepted too,
 * and VIDIOC_G_FMT answers with the negotiated format; any other ioctl on a
 * fake fd fails with ENOTTY.  Every other call passes through (RTLD_NEXT).
 *
 * Environment:
 *   FAKE_V4L2_DEVICES   comma list of fake device paths (default "/dev/video0").
 *   FAKE_V4L2_HIDE_REAL "1" (default): open() of any other /dev/video<N> fails
 *                       with ENOENT, so auto-selection never reaches a real
 *                       device on a developer machine.  "0" passes them on.
 *   FAKE_V4L2_RECORD    file to which every write() to a fake device is
 *                       appended (raw frame bytes).  "{dev}" in it is replaced
 *                       by the device basename (e.g. "video0").  Unset: writes
 *                       go to /dev/null.  The sidecar RECORD + ".fmt" (text,
 *                       key=value lines) holds device, width, height,
 *                       pixelformat (fourcc text), bytesperline, sizeimage
 *                       after S_FMT, plus frames/bad_writes after close().
 *   FAKE_V4L2_BUSY      "1": open() of a fake device fails with EBUSY.
 *   FAKE_V4L2_OPEN_ERRNO  errno for a failing open(): a number or one of
 *                       EBUSY EACCES ENOENT EPERM ENODEV EIO (overrides BUSY).
 *   FAKE_V4L2_SFMT_ERRNO  same syntax: VIDIOC_S_FMT fails with it.
 *   FAKE_V4L2_DRIVER    driver string of QUERYCAP (default "v4l2 loopback").
 *   FAKE_V4L2_CAPTURE_ONLY "1": QUERYCAP reports a capture device (no
 *                       V4L2_CAP_VIDEO_OUTPUT).
 *   FAKE_V4L2_READERS_FILE  not used by the shim for readers; the Python helper
 *                       simulates a consumer by opening/closing this real file
 *                       (inotify IN_OPEN / IN_CLOSE_NOWRITE).  If
 *                       FAKE_V4L2_MIRROR_OPEN=1 the shim also opens it
 *                       O_WRONLY while a fake device is open, so a watcher sees
 *                       the writer's own IN_OPEN / IN_CLOSE_WRITE as it would
 *                       on a real /dev/videoN.
 *
 * QUERYCAP: driver as above, card "Haikei fake loopback", bus_info
 * "platform:v4l2loopback-000", capabilities = VIDEO_OUTPUT | STREAMING |
 * DEVICE_CAPS, device_caps = VIDEO_OUTPUT | STREAMING.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define MAX_DEVICES 16
#define MAX_FDS 64

struct fake_fd {
    int fd;              /* real fd handed out (the recording file) */
    int mirror_fd;       /* fd on FAKE_V4L2_READERS_FILE, or -1 */
    int dev;             /* index into devices[] */
    int have_fmt;
    struct v4l2_pix_format pix;
    unsigned long frames, bad_writes;
};

static char *devices[MAX_DEVICES];
static int n_devices;
static struct fake_fd fds[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return (v && *v) ? v : dflt;
}

static int env_flag(const char *name, int dflt)
{
    const char *v = getenv(name);
    return (v && *v) ? strcmp(v, "0") != 0 : dflt;
}

static int env_errno(const char *name)
{
    static const struct { const char *n; int e; } names[] = {
        {"EBUSY", EBUSY}, {"EACCES", EACCES}, {"ENOENT", ENOENT},
        {"EPERM", EPERM}, {"ENODEV", ENODEV}, {"EIO", EIO}, {"EINVAL", EINVAL},
    };
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(v, names[i].n) == 0)
            return names[i].e;
    return atoi(v);
}

static void init(void)
{
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
    real___open_2 = dlsym(RTLD_NEXT, "__open_2");
    real___open64_2 = dlsym(RTLD_NEXT, "__open64_2");
    real___openat_2 = dlsym(RTLD_NEXT, "__openat_2");
    real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    real_write = dlsym(RTLD_NEXT, "write");
    real_close = dlsym(RTLD_NEXT, "close");

    char *list = strdup(env_or("FAKE_V4L2_DEVICES", "/dev/video0"));
    for (char *save = NULL, *tok = strtok_r(list, ",", &save);
         tok && n_devices < MAX_DEVICES; tok = strtok_r(NULL, ",", &save))
        if (*tok)
            devices[n_devices++] = tok;
    for (int i = 0; i < MAX_FDS; i++)
        fds[i].fd = -1;
}

#define INIT() pthread_once(&once, init)

static int device_index(const char *path)
{
    for (int i = 0; i < n_devices; i++)
        if (strcmp(devices[i], path) == 0)
            return i;
    return -1;
}

/* /dev/video<digits> that is not one of ours */
static int is_hidden_real(const char *path)
{
    if (strncmp(path, "/dev/video", 10) != 0 || !path[10])
        return 0;
    for (const char *p = path + 10; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return env_flag("FAKE_V4L2_HIDE_REAL", 1);
}

static struct fake_fd *lookup(int fd)   /* caller holds lock */
{
    if (fd < 0)
        return NULL;
    for (int i = 0; i < MAX_FDS; i++)
        if (fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

/* RECORD with "{dev}" replaced by the device basename; "" if unset */
static void record_path(int dev, const char *suffix, char *out, size_t n)
{
    const char *rec = env_or("FAKE_V4L2_RECORD", "");
    const char *base = strrchr(devices[dev], '/');
    base = base ? base + 1 : devices[dev];
    const char *tag = strstr(rec, "{dev}");
    if (tag)
        snprintf(out, n, "%.*s%s%s%s", (int)(tag - rec), rec, base, tag + 5, suffix);
    else if (*rec)
        snprintf(out, n, "%s%s", rec, suffix);
    else
        out[0] = '\0';
}

static void write_sidecar(struct fake_fd *f, int closed)
{
    char path[4096];
    record_path(f->dev, ".fmt", path, sizeof(path));
    if (!path[0])
        return;
    int fd = real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char buf[1024];
    uint32_t pf = f->pix.pixelformat;
    int n = snprintf(buf, sizeof(buf),
        "device=%s\nwidth=%u\nheight=%u\npixelformat=%c%c%c%c\n"
        "bytesperline=%u\nsizeimage=%u\n",
        devices[f->dev], f->pix.width, f->pix.height,
        pf & 0xff, (pf >> 8) & 0xff, (pf >> 16) & 0xff, (pf >> 24) & 0xff,
        f->pix.bytesperline, f->pix.sizeimage);
    if (closed)
        n += snprintf(buf + n, sizeof(buf) - n, "frames=%lu\nbad_writes=%lu\n",
                      f->frames, f->bad_writes);
    if (real_write(fd, buf, n) < 0) { /* best effort */ }
    real_close(fd);
}

static int fake_open(int dev)
{
    int err = env_errno("FAKE_V4L2_OPEN_ERRNO");
    if (!err && env_flag("FAKE_V4L2_BUSY", 0))
        err = EBUSY;
    if (err) {
        errno = err;
        return -1;
    }
    char path[4096];
    record_path(dev, "", path, sizeof(path));
    int fd = path[0]
        ? real_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
        : real_open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int mirror = -1;
    const char *readers = getenv("FAKE_V4L2_READERS_FILE");
    if (readers && *readers && env_flag("FAKE_V4L2_MIRROR_OPEN", 0))
        mirror = real_open(readers, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

    pthread_mutex_lock(&lock);
    struct fake_fd *f = NULL;
    for (int i = 0; i < MAX_FDS && !f; i++)
        if (fds[i].fd == -1)
            f = &fds[i];
    if (!f) {
        pthread_mutex_unlock(&lock);
        real_close(fd);
        if (mirror >= 0)
            real_close(mirror);
        errno = EMFILE;
        return -1;
    }
    memset(f, 0, sizeof(*f));
    f->fd = fd;
    f->mirror_fd = mirror;
    f->dev = dev;
    pthread_mutex_unlock(&lock);
    return fd;
}

/* Returns 1 and sets *ret if path is ours (fake or hidden), else 0. */
static int maybe_fake(const char *path, int *ret)
{
    INIT();
    if (!path)
        return 0;
    int dev = device_index(path);
    if (dev >= 0) {
        *ret = fake_open(dev);
        return 1;
    }
    if (is_hidden_real(path)) {
        errno = ENOENT;
        *ret = -1;
        return 1;
    }
    return 0;
}

static mode_t get_mode(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
    int r;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = get_mode(flags, ap);
    va_end(ap);
    if (maybe_fake(path, &r))
        return r;
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    int r;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = get_mode(flags, ap);
    va_end(ap);
    if (maybe_fake(path, &r))
        return r;
    return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    int r;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = get_mode(flags, ap);
    va_end(ap);
    if (path[0] == '/' && maybe_fake(path, &r))
        return r;
    INIT();
    return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    int r;
    va_list ap;
    va_start(ap, flags);
    mode_t mode = get_mode(flags, ap);
    va_end(ap);
    if (path[0] == '/' && maybe_fake(path, &r))
        return r;
    INIT();
    return real_openat64(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
    int r;
    if (maybe_fake(path, &r))
        return r;
    return real___open_2(path, flags);
}

int __open64_2(const char *path, int flags)
{
    int r;
    if (maybe_fake(path, &r))
        return r;
    return real___open64_2(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    int r;
    if (path[0] == '/' && maybe_fake(path, &r))
        return r;
    INIT();
    return real___openat_2(dirfd, path, flags);
}

/* v4l2loopback-like size rules; 0 for formats we do not know. */
static int set_size(struct v4l2_pix_format *p)
{
    uint32_t w = p->width, h = p->height;
    switch (p->pixelformat) {
    case V4L2_PIX_FMT_YUV420:
    case V4L2_PIX_FMT_YVU420:
    case V4L2_PIX_FMT_NV12:
    case V4L2_PIX_FMT_NV21:
        p->bytesperline = w;
        p->sizeimage = w * h * 3 / 2;
        break;
    case V4L2_PIX_FMT_YUYV:
    case V4L2_PIX_FMT_UYVY:
        p->bytesperline = w * 2;
        p->sizeimage = w * h * 2;
        break;
    case V4L2_PIX_FMT_GREY:
        p->bytesperline = w;
        p->sizeimage = w * h;
        break;
    case V4L2_PIX_FMT_RGB24:
    case V4L2_PIX_FMT_BGR24:
        p->bytesperline = w * 3;
        p->sizeimage = w * h * 3;
        break;
    case V4L2_PIX_FMT_RGB32:
    case V4L2_PIX_FMT_BGR32:
        p->bytesperline = w * 4;
        p->sizeimage = w * h * 4;
        break;
    default:
        return 0;
    }
    p->field = V4L2_FIELD_NONE;
    if (!p->colorspace)
        p->colorspace = V4L2_COLORSPACE_SRGB;
    return 1;
}

static int fake_ioctl(struct fake_fd *f, unsigned long req, void *arg)
{
    switch (req) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = arg;
        memset(cap, 0, sizeof(*cap));
        snprintf((char *)cap->driver, sizeof(cap->driver), "%s",
                 env_or("FAKE_V4L2_DRIVER", "v4l2 loopback"));
        snprintf((char *)cap->card, sizeof(cap->card), "Haikei fake loopback");
        snprintf((char *)cap->bus_info, sizeof(cap->bus_info),
                 "platform:v4l2loopback-%03d", f->dev);
        cap->version = (0 << 16) | (13 << 8) | 2;   /* 0.13.2 */
        uint32_t io = env_flag("FAKE_V4L2_CAPTURE_ONLY", 0)
                          ? V4L2_CAP_VIDEO_CAPTURE : V4L2_CAP_VIDEO_OUTPUT;
        cap->device_caps = io | V4L2_CAP_STREAMING;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_S_FMT: {
        struct v4l2_format *fmt = arg;
        int err = env_errno("FAKE_V4L2_SFMT_ERRNO");
        if (!err && fmt->type != V4L2_BUF_TYPE_VIDEO_OUTPUT)
            err = EINVAL;
        if (!err && (fmt->fmt.pix.width == 0 || fmt->fmt.pix.height == 0 ||
                     !set_size(&fmt->fmt.pix)))
            err = EINVAL;
        if (err) {
            errno = err;
            return -1;
        }
        pthread_mutex_lock(&lock);
        f->pix = fmt->fmt.pix;
        f->have_fmt = 1;
        write_sidecar(f, 0);
        pthread_mutex_unlock(&lock);
        return 0;
    }
    case VIDIOC_G_FMT: {
        struct v4l2_format *fmt = arg;
        if (fmt->type != V4L2_BUF_TYPE_VIDEO_OUTPUT || !f->have_fmt) {
            errno = EINVAL;
            return -1;
        }
        fmt->fmt.pix = f->pix;
        return 0;
    }
    default:
        errno = ENOTTY;
        return -1;
    }
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    INIT();
    pthread_mutex_lock(&lock);
    struct fake_fd *f = lookup(fd);
    pthread_mutex_unlock(&lock);
    if (f)
        return fake_ioctl(f, req, arg);
    return real_ioctl(fd, req, arg);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    INIT();
    pthread_mutex_lock(&lock);
    struct fake_fd *f = lookup(fd);
    if (f) {
        /* like v4l2loopback, one write() of sizeimage bytes is one frame */
        if (f->have_fmt && n == f->pix.sizeimage)
            f->frames++;
        else
            f->bad_writes++;
    }
    pthread_mutex_unlock(&lock);
    return real_write(fd, buf, n);
}

int close(int fd)
{
    INIT();
    pthread_mutex_lock(&lock);
    struct fake_fd *f = lookup(fd);
    if (f) {
        if (f->have_fmt)
            write_sidecar(f, 1);
        if (f->mirror_fd >= 0)
            real_close(f->mirror_fd);
        f->fd = -1;
    }
    pthread_mutex_unlock(&lock);
    return real_close(fd);
}
