import { Module } from '@nestjs/common';
import { RotationPointerService } from './rotation-pointer.service';

@Module({
  providers: [RotationPointerService],
  exports: [RotationPointerService],
})
export class RotationsModule {}
