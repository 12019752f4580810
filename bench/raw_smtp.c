/* The email ceiling: N threads, each with one reused libcurl easy handle (one kept-open SMTP
   connection), sending the same message to the sink as fast as it answers.
   usage: raw_smtp URL THREADS MESSAGES MESSAGE_FILE  → prints "<messages> <seconds> <msg/s> <errors>" */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *url;
static long per_thread;
static char *message;
static size_t message_size;
static long errors_total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct upload { size_t offset; };

static size_t reader(char *buffer, size_t size, size_t n, void *user) {
    struct upload *u = user;
    size_t room = size * n, left = message_size - u->offset;
    size_t take = left < room ? left : room;
    memcpy(buffer, message + u->offset, take);
    u->offset += take;
    return take;
}

static void *worker(void *arg) {
    (void)arg;
    CURL *h = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, "<li@client.example>");
    long errors = 0;
    for (long i = 0; i < per_thread; i++) {
        struct upload u = {0};
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, "<bounces@acme.example>");
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message_size);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, reader);
        curl_easy_setopt(h, CURLOPT_READDATA, &u);
        if (curl_easy_perform(h) != CURLE_OK) errors++;
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    pthread_mutex_lock(&lock);
    errors_total += errors;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URL THREADS MESSAGES MESSAGE_FILE\n", argv[0]);
        return 64;
    }
    url = argv[1];
    int threads = atoi(argv[2]);
    long total = atol(argv[3]);
    FILE *f = fopen(argv[4], "rb");
    if (!f) { perror(argv[4]); return 66; }
    fseek(f, 0, SEEK_END);
    message_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    message = malloc(message_size);
    if (fread(message, 1, message_size, f) != message_size) { fclose(f); return 66; }
    fclose(f);
    per_thread = total / threads;
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    long done = per_thread * threads;
    printf("%ld %.3f %.1f %ld\n", done, seconds, done / seconds, errors_total);
    return errors_total == 0 ? 0 : 1;
}
