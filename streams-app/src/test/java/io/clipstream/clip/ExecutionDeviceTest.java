package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExecutionDeviceTest {

    @Test
    void parsesCpuAndCudaForms() {
        assertThat(ExecutionDevice.parse("cpu")).isEqualTo(ExecutionDevice.CPU);
        assertThat(ExecutionDevice.parse(" CUDA ")).isEqualTo(new ExecutionDevice(ExecutionDevice.Kind.CUDA, 0));
        assertThat(ExecutionDevice.parse("cuda:3").index()).isEqualTo(3);
        assertThat(ExecutionDevice.parse("cuda:3")).hasToString("cuda:3");
    }

    @Test
    void rejectsOtherForms() {
        assertThatThrownBy(() -> ExecutionDevice.parse("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device must be cpu, cuda or cuda:N, found 'tpu'");
        assertThatThrownBy(() -> ExecutionDevice.parse("cuda:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExecutionDevice.parse("cuda:-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
