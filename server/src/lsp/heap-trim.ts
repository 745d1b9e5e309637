import { getHeapStatistics } from 'node:v8';
import { collectGarbage } from '@kube-routes/server/node';

/** Growth of the used heap since the last full collection that calls for another. */
const growthBytes = 16 * 1024 * 1024;

const usedHeap = () => getHeapStatistics().used_heap_size;

/**
 * Keeps the heap near what a long phase holds (the first index of a workspace): the parse
 * garbage of thousands of files reaches the old generation, which V8 lets grow well past the
 * live data before marking it, and that growth was the server's peak RSS. check() between
 * slices runs a full collection (10-30 ms on the GitOps bench tree) once the used heap grew by
 * growthBytes since the last one: 101-102 instead of 107-108 MiB of peak there, in the same time
 * within the noise (bench/RESULTS.md, issue 13 part 3).
 */
export class HeapTrim {
  private base: number;

  constructor(
    private readonly used: () => number = usedHeap,
    private readonly collect: () => void = () => collectGarbage('major'),
  ) {
    this.base = used();
  }

  check(): void {
    if (this.used() - this.base < growthBytes) return;
    this.collect();
    this.base = this.used();
  }
}
