// Original file: proto/split_inference.proto


export interface DescribeRequest {
}

export interface DescribeRequest__Output {
}
